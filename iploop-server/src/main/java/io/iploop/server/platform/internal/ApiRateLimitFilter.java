package io.iploop.server.platform.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.iploop.server.platform.ApiError;
import io.iploop.server.platform.v2.Envelope;
import io.iploop.server.platform.AuthenticatedUser;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * REST API rate limit (docs/product/plans.md#rate-limits, docs/product/api.md#rate-limits): a Bucket4j token bucket per authenticated user, or
 * per client IP for anonymous calls, of {@code perMinute} requests refilled greedily over a minute.
 * Every {@code /api/**} response carries {@code X-RateLimit-Limit} (requests per minute),
 * {@code X-RateLimit-Remaining} (requests left now) and {@code X-RateLimit-Reset} (seconds until
 * the bucket is full again); over the limit the answer is 429 {@code rate_limited} with
 * {@code Retry-After} in seconds. Runs after the JWT filter. Buckets of callers idle for 10 minutes
 * are dropped. Thread-safe.
 */
final class ApiRateLimitFilter extends OncePerRequestFilter {

    private final int perMinute;
    private final JsonMapper json;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(1_000_000)
            .build();

    /** @param perMinute requests per minute per caller, > 0 */
    ApiRateLimitFilter(int perMinute, JsonMapper json) {
        if (perMinute <= 0) {
            throw new IllegalArgumentException("perMinute: " + perMinute + " (expected: > 0)");
        }
        this.perMinute = perMinute;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // The pool's goproxy hooks answer loopback peers only, at goproxy's own rate (one call per
        // connection): a per-IP limit would refuse a busy local goproxy (docs/upstream-pool.md#goproxy-compatible-hooks).
        return !request.getRequestURI().startsWith("/api/") || request.getRequestURI().startsWith("/api/internal/pool/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Bucket bucket = buckets.get(callerKey(request), k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        response.setHeader("X-RateLimit-Limit", Integer.toString(perMinute));
        response.setHeader("X-RateLimit-Remaining", Long.toString(probe.getRemainingTokens()));
        response.setHeader("X-RateLimit-Reset", Long.toString(ceilSeconds(probe.getNanosToWaitForReset())));
        if (probe.isConsumed()) {
            chain.doFilter(request, response);
            return;
        }
        long retryAfter = Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill()));
        response.setStatus(429);
        response.setHeader("Retry-After", Long.toString(retryAfter));
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        ApiError error = ApiError.of("rate_limited",
                "more than " + perMinute + " API requests per minute; retry in " + retryAfter + " s", null);
        json.writeValue(response.getOutputStream(),
                Envelope.errorFor(request.getRequestURI().substring(request.getContextPath().length()), error));
    }

    private static String callerKey(HttpServletRequest request) {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth != null && auth.getPrincipal() instanceof AuthenticatedUser user) {
            return "user:" + user.userId();
        }
        return "ip:" + request.getRemoteAddr();
    }

    private static long ceilSeconds(long nanos) {
        return (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
    }
}
