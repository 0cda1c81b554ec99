package io.iploop.server.platform.internal;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The HTTP surface of {@code --role=gateway} (docs/deploy.md#cluster): health
 * ({@code /actuator/health/**}) and metrics ({@code /actuator/prometheus}, still behind
 * {@code IPLOOP_METRICS_TOKEN}) only; the REST API, the dashboard and everything else answer 404
 * here, so a load balancer or a browser pointed at a gateway cannot use the control plane through
 * it. Active only with the {@code gateway} profile.
 */
@Configuration(proxyBeanMethods = false)
@Profile("gateway")
class GatewayRoleWebSurface {

    /** Paths a gateway serves: health for probes, metrics for Prometheus. */
    static boolean served(String path) {
        return path.equals("/actuator/health") || path.startsWith("/actuator/health/")
                || path.equals("/actuator/prometheus");
    }

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> gatewayRoleOnlyHealthAndMetrics() {
        OncePerRequestFilter filter = new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                if (served(request.getRequestURI())) {
                    chain.doFilter(request, response);
                    return;
                }
                response.setStatus(HttpServletResponse.SC_NOT_FOUND);
                response.setContentType("application/json");
                response.getOutputStream().write(("{\"error\":\"not_found\",\"message\":\"this is a gateway"
                        + " (--role=gateway): only /actuator/health and /actuator/prometheus are served here;"
                        + " use a control plane for the API and dashboard\"}").getBytes(StandardCharsets.UTF_8));
            }
        };
        FilterRegistrationBean<OncePerRequestFilter> r = new FilterRegistrationBean<>(filter);
        r.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
        return r;
    }
}
