package io.iploop.server.platform.v2.internal;

import io.iploop.server.platform.v2.ListQuery;
import java.util.List;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.ShallowEtagHeaderFilter;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Wires the {@code /api/v2} conventions (docs/product/api.md#api-v2) into Spring MVC once for every feature:
 * query parsing ({@link V2QueryInterceptor}, {@link ListQueryArgumentResolver}), the envelope
 * ({@link V2ResponseAdvice}), {@code ETag}/{@code If-None-Match} → 304 on every v2 GET (Spring's
 * {@link ShallowEtagHeaderFilter}: a strong ETag over the exact body bytes, so a changed field
 * selection or page is a different representation) and the OpenAPI parameters
 * ({@link V2OpenApiCustomizer}).
 */
@Configuration(proxyBeanMethods = false)
class V2WebConfig implements WebMvcConfigurer {

    static {
        // the parsed query is not a request body or parameter object: V2OpenApiCustomizer documents it
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(ListQuery.class);
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new V2QueryInterceptor()).addPathPatterns("/api/v2/**");
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new ListQueryArgumentResolver());
    }

    @Bean
    FilterRegistrationBean<ShallowEtagHeaderFilter> v2EtagFilter() {
        FilterRegistrationBean<ShallowEtagHeaderFilter> bean = new FilterRegistrationBean<>(new ShallowEtagHeaderFilter());
        bean.addUrlPatterns("/api/v2/*");
        bean.setName("v2EtagFilter");
        return bean;
    }

    @Bean
    OperationCustomizer v2OpenApiCustomizer() {
        return new V2OpenApiCustomizer();
    }
}
