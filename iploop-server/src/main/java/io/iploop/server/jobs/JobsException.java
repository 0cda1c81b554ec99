package io.iploop.server.jobs;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the jobs feature; {@link Reason} maps each to its code and HTTP status. */
public final class JobsException extends ApiException {

    private static final long serialVersionUID = 1L;

    public JobsException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
    }

    /** Error codes of the jobs feature. */
    public enum Reason {
        UNKNOWN_JOB("job_not_found", HttpStatus.NOT_FOUND);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
