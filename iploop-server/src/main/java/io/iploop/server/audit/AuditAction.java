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
    /** 2FA turned on after a verified TOTP code (seed 000 §9.1). */
    TWO_FACTOR_ENABLED,
    /** 2FA turned off by its owner with code and password. */
    TWO_FACTOR_DISABLED,
    /** 2FA turned off for this account by an admin (details: adminId). */
    TWO_FACTOR_RESET,
    /** An admin reset another account's 2FA (resource: the target user). */
    ADMIN_TWO_FACTOR_RESET,
    BACKUP_CODES_REGENERATED,
    /** A backup code was used in place of a TOTP code (details: remaining). */
    BACKUP_CODE_USED,
    /** A login session was ended by its owner, a password change or a reset (seed 000 §9.4). */
    SESSION_TERMINATED,
    /** The account moved to another plan (details: from, to). */
    PLAN_CHANGED,
    /** An account-level or per-key IP whitelist was replaced (details: old, new; comma-separated). */
    IP_WHITELIST_CHANGED,
    /** An operator paused sharing on a device (seed 000 §3.4.1). */
    DEVICE_PAUSED,
    /** An operator resumed sharing on a device. */
    DEVICE_RESUMED,
    /** An operator renamed a device; details: name. */
    DEVICE_RENAMED,
    /** An operator removed a device from the dashboard. */
    DEVICE_REMOVED,
    /** An admin adjusted a user's earn credits (issue 4 item 7); details: credits, reason, transaction. */
    LEDGER_ADJUSTED;

    /** The value stored in {@code audit_logs.action} and accepted by the {@code action} filter. */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
