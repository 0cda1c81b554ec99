package io.iploop.server.platform;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * Base of the one exception type per feature (DESIGN §10): carries a stable machine-readable code,
 * the HTTP status it maps to, and optionally the request field at fault. Rendered as
 * {@code {"error":{"code":…,"message":…,"field":…}}}. The message is shown to the caller, so it
 * must never reveal another tenant's data.
 */
public abstract class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final HttpStatus status;
    private final @Nullable String field;

    protected ApiException(String code, HttpStatus status, String message, @Nullable String field) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
        this.field = field;
    }

    /** Stable error code, lower snake case, e.g. {@code email_taken}. */
    public String code() {
        return code;
    }

    /** The HTTP status of the response. */
    public HttpStatus status() {
        return status;
    }

    /** The request field at fault, or null. */
    public @Nullable String field() {
        return field;
    }
}
