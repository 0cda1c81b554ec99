package io.iploop.server.platform.internal;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The servlet filters that run before Spring Security: the client address and scheme from trusted
 * proxies first ({@link TrustedProxyFilter}, {@code IPLOOP_TRUSTED_PROXIES}), then the guard of the
 * Prometheus scrape ({@link MetricsScrapeFilter}, {@code IPLOOP_METRICS_TOKEN}).
 */
@Configuration(proxyBeanMethods = false)
class EdgeFiltersConfig {

    @Bean
    FilterRegistrationBean<TrustedProxyFilter> trustedProxyFilter(@Value("${iploop.trusted-proxies:}") String trustedProxies) {
        FilterRegistrationBean<TrustedProxyFilter> r = new FilterRegistrationBean<>(new TrustedProxyFilter(trustedProxies));
        r.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return r;
    }

    @Bean
    FilterRegistrationBean<MetricsScrapeFilter> metricsScrapeFilter(@Value("${iploop.metrics-token:}") String token) {
        FilterRegistrationBean<MetricsScrapeFilter> r = new FilterRegistrationBean<>(new MetricsScrapeFilter(token));
        r.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        r.addUrlPatterns(MetricsScrapeFilter.PATH, MetricsScrapeFilter.PATH + "/*");
        return r;
    }
}
