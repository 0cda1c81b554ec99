package io.iploop.server.platform.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.platform.JwtTokens;
import io.iploop.server.platform.LoginSessions;
import io.iploop.server.platform.TokenRevocations;
import io.iploop.server.platform.WebSessionCookie;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stateless bearer authentication: a valid {@code Authorization: Bearer <jwt>} that is not
 * blacklisted ({@link TokenRevocations}, docs/product/accounts.md#tokens-and-logout) and whose login session ({@code sid}) is
 * still open ({@link LoginSessions}, docs/product/accounts.md#login-sessions) puts an {@link AuthenticatedUser} into the
 * security context with authority {@code ROLE_<role>}, plus {@link SecurityRules#TWO_FACTOR} when
 * the token was issued after a second factor and {@link SecurityRules#PASSWORD_CHANGE_REQUIRED}
 * while the account must change its password. Anything else, including a token without
 * {@code sid}, leaves the request anonymous (the filter chain then answers 401 where
 * authentication is required). Without the header, the dashboard's {@link WebSessionCookie}
 * carries the same JWT: accepted on every request of the dashboard chain (which has CSRF
 * protection) but, on the API chain (no CSRF protection), only for safe methods, so a cookie can
 * never change state through the API. Only registered in the security filter chains, not as a
 * servlet filter. Thread-safe.
 */
final class JwtAuthenticationFilter extends OncePerRequestFilter {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD");

    private final JwtTokens tokens;
    private final TokenRevocations revocations;
    private final LoginSessions sessions;
    private final boolean cookieForUnsafeMethods;

    /**
     * @param cookieForUnsafeMethods whether the login cookie also authenticates POST, PUT, PATCH and
     *     DELETE; only for a chain with CSRF protection
     */
    JwtAuthenticationFilter(JwtTokens tokens, TokenRevocations revocations, LoginSessions sessions,
            boolean cookieForUnsafeMethods) {
        this.tokens = tokens;
        this.revocations = revocations;
        this.sessions = sessions;
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
            Optional<JwtTokens.VerifiedToken> token = tokens.verifyToken(jwt)
                    .filter(t -> t.user().sessionId() != null)
                    .filter(t -> !revocations.isRevoked(t));
            token.ifPresent(t -> {
                AuthenticatedUser u = t.user();
                UUID sid = u.sessionId();
                if (sid == null) {
                    return;
                }
                sessions.check(sid, u.userId()).ifPresent(state -> {
                    List<GrantedAuthority> authorities = new ArrayList<>(3);
                    authorities.add(new SimpleGrantedAuthority("ROLE_" + u.role().toUpperCase(Locale.ROOT)));
                    if (u.twoFactor()) {
                        authorities.add(new SimpleGrantedAuthority(SecurityRules.TWO_FACTOR));
                    }
                    if (state.mustChangePassword()) {
                        authorities.add(new SimpleGrantedAuthority(SecurityRules.PASSWORD_CHANGE_REQUIRED));
                    }
                    SecurityContextHolder.getContext()
                            .setAuthentication(new UsernamePasswordAuthenticationToken(u, null, authorities));
                });
            });
        }
        chain.doFilter(request, response);
    }
}
