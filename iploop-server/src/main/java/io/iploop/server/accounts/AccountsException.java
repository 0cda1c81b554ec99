package io.iploop.server.accounts;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the accounts feature; {@link Reason} maps each to its code and HTTP status. */
public final class AccountsException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public AccountsException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** Error codes of the accounts feature. */
    public enum Reason {
        EMAIL_TAKEN("email_taken", HttpStatus.CONFLICT),
        INVALID_CREDENTIALS("invalid_credentials", HttpStatus.UNAUTHORIZED),
        ACCOUNT_SUSPENDED("account_suspended", HttpStatus.FORBIDDEN),
        NOT_FOUND("account_not_found", HttpStatus.NOT_FOUND),
        WEAK_PASSWORD("weak_password", HttpStatus.BAD_REQUEST),
        /** A password-reset or e-mail-verification token that is unknown, used or expired. */
        INVALID_TOKEN("invalid_token", HttpStatus.BAD_REQUEST),
        EMAIL_ALREADY_VERIFIED("email_already_verified", HttpStatus.CONFLICT),
        /** Too many failed logins for this e-mail (seed 000 §9.7); the message says when to retry. */
        ACCOUNT_LOCKED("account_locked", HttpStatus.LOCKED),
        /** Too many failed logins from this IP address (seed 000 §9.7); the message says when to retry. */
        TOO_MANY_ATTEMPTS("too_many_attempts", HttpStatus.TOO_MANY_REQUESTS),
        /** An admin search with a bad page, limit or sort; the field names the parameter. */
        INVALID_QUERY("invalid_query", HttpStatus.BAD_REQUEST),
        /** An admin tried to remove their own admin role (they would lock themselves out). */
        CANNOT_REMOVE_OWN_ADMIN("cannot_remove_own_admin", HttpStatus.CONFLICT),
        /** An admin tried to suspend or ban their own account. */
        CANNOT_CHANGE_OWN_STATUS("cannot_change_own_status", HttpStatus.CONFLICT),
        /** An admin tried to delete their own account. */
        CANNOT_DELETE_SELF("cannot_delete_self", HttpStatus.CONFLICT);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
