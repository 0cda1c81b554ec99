package io.iploop.server.platform.v2.internal;

import io.iploop.server.platform.v2.ListQuery;
import io.iploop.server.platform.v2.V2Get;
import io.iploop.server.platform.v2.V2List;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Parses and validates the query string of every {@link V2List} / {@link V2Get} handler before it
 * runs, so a bad or unknown parameter answers 400 naming it without touching any service, and
 * leaves the {@link ListQuery} in a request attribute for {@link ListQueryArgumentResolver} and
 * {@link V2ResponseAdvice}. Stateless apart from a cache of each handler's own parameter names;
 * thread-safe.
 */
final class V2QueryInterceptor implements HandlerInterceptor {

    /** Request attribute holding the parsed {@link ListQuery}. */
    static final String ATTRIBUTE = ListQuery.class.getName();

    private final Map<Method, Set<String>> handlerParameters = new ConcurrentHashMap<>();

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method)) {
            return true;
        }
        @Nullable V2List list = method.getMethodAnnotation(V2List.class);
        @Nullable V2Get get = method.getMethodAnnotation(V2Get.class);
        if (list == null && get == null) {
            return true;
        }
        Set<String> own = handlerParameters.computeIfAbsent(method.getMethod(), m -> requestParams(method));
        ListQuery query = list != null
                ? ListQuery.parseList(list, own, request.getParameterMap())
                : ListQuery.parseGet(java.util.Objects.requireNonNull(get), own, request.getParameterMap());
        request.setAttribute(ATTRIBUTE, query);
        return true;
    }

    /** Names of the handler's {@code @RequestParam} parameters. */
    private static Set<String> requestParams(HandlerMethod method) {
        Set<String> names = new LinkedHashSet<>();
        for (MethodParameter p : method.getMethodParameters()) {
            @Nullable RequestParam rp = p.getParameterAnnotation(RequestParam.class);
            if (rp != null) {
                String name = !rp.name().isEmpty() ? rp.name() : p.getParameterName();
                if (name != null) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
