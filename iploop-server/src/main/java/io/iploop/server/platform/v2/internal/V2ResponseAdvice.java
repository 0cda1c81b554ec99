package io.iploop.server.platform.v2.internal;

import io.iploop.server.platform.ApiError;
import io.iploop.server.platform.v2.Envelope;
import io.iploop.server.platform.v2.ListQuery;
import io.iploop.server.platform.v2.Paged;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.converter.AbstractJacksonHttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Wraps every JSON body under {@code /api/v2/} in the {@link Envelope} (docs/product/api.md#api-v2): a
 * {@link Paged} becomes {@code data: [...]} plus {@code meta}, any other body {@code data}, an
 * {@link ApiError} (from the shared exception handler) {@code success:false} with {@code error}.
 * Applies {@code ?fields=} to the data, and marks successful GETs {@code Cache-Control: private,
 * no-cache} so clients keep them and revalidate with {@code If-None-Match} (the {@code ETag} itself
 * comes from Spring's {@code ShallowEtagHeaderFilter}). Bodies outside {@code /api/v2/} pass untouched.
 * Stateless; thread-safe.
 */
@RestControllerAdvice
class V2ResponseAdvice implements ResponseBodyAdvice<Object> {

    private final JsonMapper json;

    V2ResponseAdvice(JsonMapper json) {
        this.json = json;
    }

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return AbstractJacksonHttpMessageConverter.class.isAssignableFrom(converterType);
    }

    @Override
    public @Nullable Object beforeBodyWrite(@Nullable Object body, MethodParameter returnType, MediaType contentType,
            Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request, ServerHttpResponse response) {
        if (!(request instanceof ServletServerHttpRequest servlet)) {
            return body;
        }
        HttpServletRequest http = servlet.getServletRequest();
        String path = http.getRequestURI().substring(http.getContextPath().length());
        if (!Envelope.isV2(path) || body instanceof Envelope) {
            return body;
        }
        if (body instanceof ApiError error) {
            return Envelope.failure(error.error());
        }
        @Nullable ListQuery query = http.getAttribute(V2QueryInterceptor.ATTRIBUTE) instanceof ListQuery q ? q : null;
        if (HttpMethod.GET.equals(request.getMethod())) {
            response.getHeaders().set(HttpHeaders.CACHE_CONTROL, "private, no-cache");
        }
        if (body instanceof Paged<?> page) {
            Envelope.Meta meta = query == null ? new Envelope.Meta(1, page.items().size(), page.total())
                    : new Envelope.Meta(query.page(), query.limit(), page.total());
            return Envelope.ok(select(page.items(), query), meta);
        }
        return Envelope.ok(select(body, query), null);
    }

    /** {@code data} narrowed to the selected fields, in their requested order; as is without a selection. */
    private @Nullable Object select(@Nullable Object data, @Nullable ListQuery query) {
        if (data == null || query == null || query.fields().isEmpty()) {
            return data;
        }
        JsonNode tree = json.valueToTree(data);
        if (tree.isArray()) {
            var array = json.createArrayNode();
            tree.forEach(item -> array.add(item instanceof ObjectNode o ? pick(o, query) : item));
            return array;
        }
        return tree instanceof ObjectNode o ? pick(o, query) : tree;
    }

    private ObjectNode pick(ObjectNode item, ListQuery query) {
        ObjectNode picked = json.createObjectNode();
        for (String f : query.fields()) {
            if (item.has(f)) {
                picked.set(f, item.get(f));
            }
        }
        return picked;
    }
}
