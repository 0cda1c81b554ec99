package io.iploop.server.platform;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/**
 * The JSON error envelope of every {@code /api/**} error: {@code {"error":{"code","message","field"}}};
 * {@code field} is omitted when no single field is at fault. Immutable.
 */
public record ApiError(Body error) {

    public static ApiError of(String code, String message, @Nullable String field) {
        return new ApiError(new Body(code, message, field));
    }

    /** The error itself. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Body(String code, String message, @Nullable String field) {}
}
