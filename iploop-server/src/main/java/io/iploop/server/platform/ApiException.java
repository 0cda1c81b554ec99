package io.iploop.server.platform;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * Base of the one exception type per feature (docs/architecture.md#rules): carries a stable
 * machine-readable code,
 * the HTTP status it maps to, and optionally the request field at fault. Rendered as
 * {@code {"error":{"code":…,"message":…,"field":…}}}. The message is shown to the caller, so it
 * must never reveal another tenant's data.
 */
public abstract class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String code;
    private final HttpStatus status;
    private final @Nullable String field;
    private final @Nullable Duration retryAfter;

    protected ApiException(String code, HttpStatus status, String message, @Nullable String field) {
        this(code, status, message, field, null);
    }

    /**
     * @param retryAfter when the caller may try again (sent as {@code Retry-After} in whole seconds,
     *     at least 1), or null
     */
    protected ApiException(String code, HttpStatus status, String message, @Nullable String field,
            @Nullable Duration retryAfter) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
        this.field = field;
        this.retryAfter = retryAfter;
    }

    /** When the caller may try again, or null; the API sends it as {@code Retry-After}. */
    public @Nullable Duration retryAfter() {
        return retryAfter;
    }

    /** {@link #retryAfter()} in whole seconds for {@code Retry-After}, rounded up, at least 1; null without one. */
    public @Nullable Long retryAfterSeconds() {
        if (retryAfter == null) {
            return null;
        }
        long ms = retryAfter.toMillis();
        return Math.max(1, (ms + 999) / 1000);
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
