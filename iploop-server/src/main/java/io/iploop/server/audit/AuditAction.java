package io.iploop.server.audit;

import java.util.Locale;

/** The audited actions (seed 000 §9.5); stored lower case in {@code audit_logs.action}. */
public enum AuditAction {
    LOGIN_SUCCEEDED,
    LOGIN_FAILED,
    LOGOUT,
    PASSWORD_CHANGED,
    PASSWORD_RESET_REQUESTED,
    PASSWORD_RESET,
    EMAIL_VERIFIED,
    PROFILE_UPDATED,
    API_KEY_CREATED,
    API_KEY_ENABLED,
    API_KEY_DISABLED,
    API_KEY_DELETED,
    API_KEY_ROTATED,
    NODE_KEY_ISSUED,
    /** An admin adjusted a user's earn credits (issue 4 item 7); details: credits, reason, transaction. */
    LEDGER_ADJUSTED,
    /** A cash-out was requested (seed 000 §9.5: amount, method); details: amount, method, auto. */
    CASHOUT_REQUESTED,
    /** An admin approved a cash-out; details: owner, amount, method, note. */
    CASHOUT_APPROVED,
    /** An admin rejected a cash-out (credits released); details: owner, amount, method, note. */
    CASHOUT_REJECTED,
    /** The user cancelled a cash-out. */
    CASHOUT_CANCELLED,
    /** A cash-out was paid; details: owner, amount, method, provider, transaction id. */
    CASHOUT_COMPLETED;

    /** The value stored in {@code audit_logs.action} and accepted by the {@code action} filter. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
