package io.iploop.server.earn;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the earn feature; {@link Reason} maps each to its code and HTTP status. */
public final class EarnException extends ApiException {

    private static final long serialVersionUID = 1L;

    public EarnException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the earn feature. */
    public enum Reason {
        /** A malformed query parameter (period, page, limit, format); the field is named. */
        INVALID_PARAMETER("invalid_parameter", HttpStatus.BAD_REQUEST),
        /** {@code ref} of a registration is not a known referral code (or the registrant's own). */
        INVALID_REFERRAL_CODE("invalid_referral_code", HttpStatus.BAD_REQUEST),
        /** No such user (admin view). */
        USER_NOT_FOUND("user_not_found", HttpStatus.NOT_FOUND);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
