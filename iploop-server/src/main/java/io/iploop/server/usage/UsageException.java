package io.iploop.server.usage;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the usage feature; {@link Reason} maps each to its code and HTTP status. */
public final class UsageException extends ApiException {

    private static final long serialVersionUID = 1L;

    public UsageException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the usage feature. */
    public enum Reason {
        /** A period outside 1-365 days, or a {@code period} other than {@code 7d}, {@code 30d}, {@code 90d}, {@code 1y}. */
        INVALID_PERIOD("validation_failed", HttpStatus.BAD_REQUEST),
        /** A row limit outside its range. */
        INVALID_LIMIT("validation_failed", HttpStatus.BAD_REQUEST),
        /** A malformed usage-record filter or page, naming the field. */
        INVALID_FILTER("validation_failed", HttpStatus.BAD_REQUEST),
        /** An export format other than {@code json} or {@code csv}. */
        INVALID_FORMAT("validation_failed", HttpStatus.BAD_REQUEST),
        /** A retention outside 1-3650 days (docs/privacy.md#retention); field {@code perRequestDays}. */
        INVALID_RETENTION("validation_failed", HttpStatus.BAD_REQUEST);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
