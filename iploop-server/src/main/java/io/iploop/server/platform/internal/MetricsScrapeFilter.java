package io.iploop.server.platform.internal;

import io.iploop.tunnel.egress.Cidr;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards {@code /actuator/prometheus} ({@code docs/security.md}): the metrics name accounts' usage
 * and the platform's load, so a scraper must send {@code Authorization: Bearer <IPLOOP_METRICS_TOKEN>}
 * (401 otherwise); when no token is configured only loopback clients may scrape (403 otherwise).
 * The client address is the one {@link TrustedProxyFilter} established. The token is compared in
 * constant time. Immutable; thread-safe.
 */
final class MetricsScrapeFilter extends OncePerRequestFilter {

    static final String PATH = "/actuator/prometheus";

    private final byte @Nullable [] token;

    /** @param token the scrape token; null or blank: loopback clients only */
    MetricsScrapeFilter(@Nullable String token) {
        this.token = token == null || token.isBlank() ? null : token.strip().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !path.equals(PATH) && !path.startsWith(PATH + "/") && !path.startsWith(PATH + ".");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (token != null) {
            String header = request.getHeader("Authorization");
            byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!MessageDigest.isEqual(token, given)) {
                response.setHeader("WWW-Authenticate", "Bearer realm=\"metrics\"");
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "a valid IPLOOP_METRICS_TOKEN bearer token is required");
                return;
            }
        } else if (!isLoopback(request.getRemoteAddr())) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN,
                    "metrics are served to loopback clients only unless IPLOOP_METRICS_TOKEN is set");
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean isLoopback(String address) {
        if (!Cidr.isAddressLiteral(address)) {
            return false;
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
