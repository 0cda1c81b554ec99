package io.iploop.server.abuse;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the abuse feature; {@link Reason} maps each to its code and HTTP status. */
public final class AbuseException extends ApiException {

    private static final long serialVersionUID = 1L;

    public AbuseException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the abuse feature. */
    public enum Reason {
        /** A report with a malformed field; the field is named. */
        INVALID_REPORT("invalid_report", HttpStatus.BAD_REQUEST),
        /** Too many reports from one address (docs/moderation.md#abuse-reports). */
        TOO_MANY_REPORTS("rate_limited", HttpStatus.TOO_MANY_REQUESTS),
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
