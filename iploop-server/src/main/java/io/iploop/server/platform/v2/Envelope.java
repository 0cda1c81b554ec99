package io.iploop.server.platform.v2;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.iploop.server.platform.ApiError;
import org.jspecify.annotations.Nullable;

/**
 * The {@code /api/v2} response body (docs/product/api.md#api-v2):
 * {@code {"success":bool,"data":…,"error":{code,message,field?},"meta":{page,limit,total}}}.
 * {@code data} is present on success (an object, or an array for lists, possibly narrowed by
 * {@code ?fields=}); {@code error} only on failure; {@code meta} only for lists. Controllers never build
 * it: the platform wraps what a v2 handler returns (see the package documentation). Immutable.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Envelope(boolean success, @Nullable Object data, ApiError.@Nullable Body error, @Nullable Meta meta) {

    /** A successful response; {@code meta} null for a single object. */
    public static Envelope ok(@Nullable Object data, @Nullable Meta meta) {
        return new Envelope(true, data, null, meta);
    }

    /** A failed response carrying the same error body as {@code /api/**} v1. */
    public static Envelope failure(ApiError.Body error) {
        return new Envelope(false, null, error, null);
    }

    /**
     * The error body for a request path: the v2 envelope under {@code /api/v2/}, the v1
     * {@link ApiError} elsewhere. For code that writes errors outside Spring MVC (security entry
     * point, rate-limit filter).
     */
    public static Object errorFor(String requestPath, ApiError error) {
        return isV2(requestPath) ? failure(error.error()) : error;
    }

    /** True for a path under {@code /api/v2/} (or {@code /api/v2} itself). */
    public static boolean isV2(String requestPath) {
        return requestPath.startsWith("/api/v2/") || requestPath.equals("/api/v2");
    }

    /**
     * Pagination of a list (docs/product/api.md#api-v2).
     *
     * @param page 1-based page number
     * @param limit items per page as requested (the last page may hold fewer)
     * @param total items matching the filters, all pages
     */
    public record Meta(int page, int limit, long total) {}
}
