package io.iploop.server.platform.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.JwtTokens;
import io.iploop.server.platform.TokenRevocations;
import io.iploop.server.platform.WebSessionCookie;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stateless bearer authentication: a valid {@code Authorization: Bearer <jwt>} that is not
 * blacklisted ({@link TokenRevocations}, seed 001 §4.5) puts an {@link AuthenticatedUser} with
 * authority {@code ROLE_<role>} into the security context; anything else leaves the request anonymous (the filter chain then answers 401 where authentication is
 * required). Without the header, the dashboard's {@link WebSessionCookie} carries the same JWT:
 * accepted on every request of the dashboard chain (which has CSRF protection) but, on the API
 * chain (no CSRF protection), only for safe methods, so a cookie can never change state through
 * the API. Only registered in the security filter chains, not as a servlet filter. Thread-safe.
 */
final class JwtAuthenticationFilter extends OncePerRequestFilter {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD");

    private final JwtTokens tokens;
    private final TokenRevocations revocations;
    private final boolean cookieForUnsafeMethods;

    /**
     * @param cookieForUnsafeMethods whether the login cookie also authenticates POST, PUT, PATCH and
     *     DELETE; only for a chain with CSRF protection
     */
    JwtAuthenticationFilter(JwtTokens tokens, TokenRevocations revocations, boolean cookieForUnsafeMethods) {
        this.tokens = tokens;
        this.revocations = revocations;
        this.cookieForUnsafeMethods = cookieForUnsafeMethods;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        @Nullable String jwt = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            jwt = header.substring(7).strip();
        } else if (cookieForUnsafeMethods || SAFE_METHODS.contains(request.getMethod())) {
            jwt = WebSessionCookie.read(request).orElse(null);
        }
        if (jwt != null) {
            Optional<AuthenticatedUser> user = tokens.verifyToken(jwt)
                    .filter(t -> !revocations.isRevoked(t.id()))
                    .map(JwtTokens.VerifiedToken::user);
            user.ifPresent(u -> {
                var auth = new UsernamePasswordAuthenticationToken(
                        u, null, List.of(new SimpleGrantedAuthority("ROLE_" + u.role().toUpperCase(java.util.Locale.ROOT))));
                SecurityContextHolder.getContext().setAuthentication(auth);
            });
        }
        chain.doFilter(request, response);
    }
}
