package io.iploop.server.platform.v2.internal;

import io.iploop.server.platform.v2.ListQuery;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Hands a {@link ListQuery} parameter the query that {@link V2QueryInterceptor} parsed. A handler
 * taking one without a {@code @V2List}/{@code @V2Get} is a programming error. Stateless; thread-safe.
 */
final class ListQueryArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == ListQuery.class;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, @Nullable ModelAndViewContainer mav,
            NativeWebRequest request, @Nullable WebDataBinderFactory binderFactory) {
        Object query = request.getAttribute(V2QueryInterceptor.ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        if (query == null) {
            throw new IllegalStateException(parameter.getExecutable() + " takes a ListQuery: annotate it @V2List or @V2Get");
        }
        return query;
    }
}
