package io.iploop.server.platform.internal;

import io.iploop.server.platform.AdminApiTokens;
import io.iploop.server.platform.AdminTokenPrincipal;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Admin API tokens on the REST chain (docs/upstream-pool.md#admin-api-and-tokens): a request with
 * {@code Authorization: Bearer iploop_admin_…} is authenticated by {@link AdminApiTokens} with
 * authorities {@link SecurityRules#ADMIN_TOKEN} and {@code SCOPE_<scope>} per scope, and only on
 * the paths tokens are made for ({@link #TOKEN_PATHS}); on any other path it is answered 403
 * {@code admin_token_not_allowed} here, so a token never reaches a customer endpoint. An unknown,
 * revoked or expired token leaves the request anonymous (the chain answers 401). Registered before
 * the JWT filter, which ignores such a bearer value (it is no JWT). Thread-safe.
 */
final class AdminApiTokenFilter extends OncePerRequestFilter {

    /** Path prefixes where an admin API token may authenticate. */
    static final List<String> TOKEN_PATHS = List.of("/api/admin/pool/", "/api/v2/admin/pool/");

    private final ObjectProvider<AdminApiTokens> tokens;
    private final Writer writer;

    /** Writes an error answer in the chain's JSON shape. */
    @FunctionalInterface
    interface Writer {
        void write(HttpServletRequest req, HttpServletResponse res, int status, String code, String message)
                throws IOException;
    }

    AdminApiTokenFilter(ObjectProvider<AdminApiTokens> tokens, Writer writer) {
        this.tokens = tokens;
        this.writer = writer;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            chain.doFilter(request, response);
            return;
        }
        String value = header.substring(7).strip();
        if (!value.startsWith(AdminApiTokens.PREFIX)) {
            chain.doFilter(request, response);
            return;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (TOKEN_PATHS.stream().noneMatch(path::startsWith)) {
            writer.write(request, response, HttpServletResponse.SC_FORBIDDEN, "admin_token_not_allowed",
                    "admin API tokens are accepted on /api/admin/pool/** only");
            return;
        }
        AdminApiTokens verifier = tokens.getIfAvailable();
        Optional<AdminTokenPrincipal> principal = verifier == null ? Optional.empty() : verifier.verify(value);
        principal.ifPresent(p -> {
            List<GrantedAuthority> authorities = new ArrayList<>(p.scopes().size() + 1);
            authorities.add(new SimpleGrantedAuthority(SecurityRules.ADMIN_TOKEN));
            p.scopes().forEach(s -> authorities.add(new SimpleGrantedAuthority("SCOPE_" + s)));
            SecurityContextHolder.getContext()
                    .setAuthentication(new UsernamePasswordAuthenticationToken(p, null, authorities));
        });
        chain.doFilter(request, response);
    }
}
