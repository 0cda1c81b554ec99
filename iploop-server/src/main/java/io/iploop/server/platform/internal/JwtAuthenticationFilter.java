package io.iploop.server.platform.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.JwtTokens;
import io.iploop.server.platform.TokenRevocations;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stateless bearer authentication: a valid {@code Authorization: Bearer <jwt>} that is not
 * blacklisted ({@link TokenRevocations}, seed 001 §4.5) puts an {@link AuthenticatedUser} with
 * authority {@code ROLE_<role>} into the security context; anything else leaves the request anonymous (the filter chain then answers 401 where authentication is
 * required). Only registered in the security filter chain, not as a servlet filter. Thread-safe.
 */
final class JwtAuthenticationFilter extends OncePerRequestFilter {

    private final JwtTokens tokens;
    private final TokenRevocations revocations;

    JwtAuthenticationFilter(JwtTokens tokens, TokenRevocations revocations) {
        this.tokens = tokens;
        this.revocations = revocations;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            Optional<AuthenticatedUser> user = tokens.verifyToken(header.substring(7).strip())
                    .filter(t -> !revocations.isRevoked(t))
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
