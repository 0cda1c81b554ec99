package io.iploop.server.abuse;

import io.iploop.server.platform.ApiException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the abuse feature; {@link Reason} maps each to its code and HTTP status. */
public final class AbuseException extends ApiException {

    private static final long serialVersionUID = 1L;

    public AbuseException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** With {@code retryAfter} for the {@code Retry-After} header (the intake's limits), or null. */
    public AbuseException(Reason reason, String message, @Nullable String field, @Nullable Duration retryAfter) {
        super(reason.code, reason.status, message, field, retryAfter);
    }

    /** Error codes of the abuse feature. */
    public enum Reason {
        /** A report with a malformed field; the field is named. */
        INVALID_REPORT("invalid_report", HttpStatus.BAD_REQUEST),
        /** Too many reports from one address (docs/moderation.md#abuse-reports). */
        TOO_MANY_REPORTS("rate_limited", HttpStatus.TOO_MANY_REQUESTS),
        /**
         * The intake accepted as many reports from all addresses together within the last hour as it
         * takes (docs/moderation.md#abuse-reports); {@code Retry-After} says when one is accepted again.
         */
        INTAKE_RATE_LIMITED("abuse_intake_rate_limited", HttpStatus.TOO_MANY_REQUESTS),
        /** The queue holds as many open reports as it takes until an admin resolves some. */
        QUEUE_FULL("abuse_queue_full", HttpStatus.TOO_MANY_REQUESTS),
        /** No report with that id. */
        REPORT_NOT_FOUND("abuse_report_not_found", HttpStatus.NOT_FOUND),
        /** The report is already resolved. */
        ALREADY_RESOLVED("abuse_report_resolved", HttpStatus.CONFLICT);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
