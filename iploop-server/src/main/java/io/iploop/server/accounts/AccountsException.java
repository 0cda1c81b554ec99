package io.iploop.server.accounts;

import io.iploop.server.platform.ApiException;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the accounts feature; {@link Reason} maps each to its code and HTTP status. */
public final class AccountsException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;
    private final @Nullable Instant retryAt;

    public AccountsException(Reason reason, String message, @Nullable String field) {
        this(reason, message, field, (Instant) null);
    }

    /** With {@code retryAt}: when a lock that refused the request ends (the message says it too, in UTC). */
    public AccountsException(Reason reason, String message, @Nullable String field, @Nullable Instant retryAt) {
        super(reason.code, reason.status, message, field);
        this.reason = reason;
        this.retryAt = retryAt;
    }

    /** With {@code retryAfter} for the {@code Retry-After} header (rate limits). */
    public AccountsException(Reason reason, String message, @Nullable String field, Duration retryAfter) {
        super(reason.code, reason.status, message, field, retryAfter);
        this.reason = reason;
        this.retryAt = null;
    }

    public Reason reason() {
        return reason;
    }

    /** When the sign-in lock behind this error ends, so pages can show it in the reader's own time; else null. */
    public @Nullable Instant retryAt() {
        return retryAt;
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
        /** Too many failed logins for this e-mail (docs/product/accounts.md#brute-force-protection); the message says when to retry. */
        ACCOUNT_LOCKED("account_locked", HttpStatus.LOCKED),
        /** Too many failed logins from this IP address (docs/product/accounts.md#brute-force-protection); the message says when to retry. */
        TOO_MANY_ATTEMPTS("too_many_attempts", HttpStatus.TOO_MANY_REQUESTS),
        /**
         * Too many sign-ups from this IP address or for this e-mail domain within the window
         * (docs/product/accounts.md#registration); {@code Retry-After} says when to retry.
         */
        SIGNUP_RATE_LIMITED("signup_rate_limited", HttpStatus.TOO_MANY_REQUESTS),
        /**
         * Login: e-mail and password are right but the account uses 2FA; send them again with
         * {@code totpCode} or {@code backupCode} (docs/product/accounts.md#two-factor-authentication).
         */
        TWO_FACTOR_REQUIRED("two_factor_required", HttpStatus.UNAUTHORIZED),
        /** Login: the TOTP or backup code is wrong, used already, or (TOTP) out of its time window. */
        INVALID_TWO_FACTOR_CODE("invalid_two_factor_code", HttpStatus.UNAUTHORIZED),
        /** A signed-in 2FA operation (verify, disable, regenerate) got a wrong or reused code. */
        INVALID_CODE("invalid_code", HttpStatus.BAD_REQUEST),
        /** 2FA verify before setup. */
        TWO_FACTOR_NOT_SET_UP("two_factor_not_set_up", HttpStatus.CONFLICT),
        /** 2FA setup or verify while 2FA is on already (disable it first). */
        TWO_FACTOR_ALREADY_ENABLED("two_factor_already_enabled", HttpStatus.CONFLICT),
        /** 2FA disable or backup-code regeneration while 2FA is off. */
        TWO_FACTOR_NOT_ENABLED("two_factor_not_enabled", HttpStatus.CONFLICT),
        /** No open session with this id belongs to the caller (docs/product/accounts.md#login-sessions); never 403. */
        SESSION_NOT_FOUND("session_not_found", HttpStatus.NOT_FOUND),
        /** An admin search with a bad page, limit or sort; the field names the parameter. */
        INVALID_QUERY("invalid_query", HttpStatus.BAD_REQUEST),
        /** A new account breaks a rule of {@link io.iploop.server.accounts.NewAccount}; the field names it. */
        INVALID_ACCOUNT("validation_failed", HttpStatus.BAD_REQUEST),
        /** An admin tried to remove their own admin role (they would lock themselves out). */
        CANNOT_REMOVE_OWN_ADMIN("cannot_remove_own_admin", HttpStatus.CONFLICT),
        /** An admin tried to suspend or ban their own account. */
        CANNOT_CHANGE_OWN_STATUS("cannot_change_own_status", HttpStatus.CONFLICT),
        /** An admin tried to delete their own account. */
        CANNOT_DELETE_SELF("cannot_delete_self", HttpStatus.CONFLICT),
        /** A use case not in {@link io.iploop.server.accounts.UseCases#ALL}; field {@code useCase}. */
        INVALID_USE_CASE("validation_failed", HttpStatus.BAD_REQUEST),
        /** Sign-up without accepting the terms and privacy policy (docs/privacy.md#consent); field {@code acceptTerms}. */
        TERMS_NOT_ACCEPTED("terms_not_accepted", HttpStatus.BAD_REQUEST),
        /** A second data export within the hour (docs/privacy.md#export); {@code Retry-After} says when. */
        EXPORT_RATE_LIMITED("export_rate_limited", HttpStatus.TOO_MANY_REQUESTS);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
