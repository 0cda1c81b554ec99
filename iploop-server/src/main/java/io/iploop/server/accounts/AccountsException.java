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
        WEAK_PASSWORD("weak_password", HttpStatus.BAD_REQUEST);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
