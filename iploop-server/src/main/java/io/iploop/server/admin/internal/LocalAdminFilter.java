package io.iploop.server.admin.internal;

import io.iploop.server.admin.LocalAdminAccess;
import io.iploop.server.platform.ApiError;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates {@code /api/local-admin/**} requests: only a direct loopback peer (no proxy
 * forwarding headers: a reverse proxy on the same machine would make remote callers look local)
 * presenting this process's {@link LocalAdminToken}. Everything else is answered here with the JSON
 * error envelope: 403 {@code local_admin_loopback_only}, 401 {@code local_admin_token_required} or
 * {@code local_admin_token_invalid}. A JWT is never looked at. Thread-safe.
 */
final class LocalAdminFilter extends OncePerRequestFilter {

    /** The authority of an accepted request; the endpoints require it. */
    static final String AUTHORITY = "LOCAL_ADMIN";
    /** The principal name, as the audit log's user agent shows the command. */
    static final String PRINCIPAL = "local-cli";
    /** Headers a reverse proxy adds; their presence means the loopback peer is not the caller. */
    static final List<String> FORWARDING_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host",
            "X-Real-IP");

    private final LocalAdminToken token;
    private final JsonMapper json;

    LocalAdminFilter(LocalAdminToken token, JsonMapper json) {
        this.token = token;
        this.json = json;
    }

    /** Why a request is refused: status and error. */
    record Refusal(int status, ApiError error) {}

    /**
     * The refusal for a request from {@code remoteAddr} (an IP literal) with these headers, or null
     * when it is accepted.
     */
    static @Nullable Refusal check(String remoteAddr, Function<String, @Nullable String> header,
            LocalAdminToken token) {
        if (!isLoopback(remoteAddr) || FORWARDING_HEADERS.stream().anyMatch(h -> header.apply(h) != null)) {
            return new Refusal(HttpServletResponse.SC_FORBIDDEN, ApiError.of("local_admin_loopback_only",
                    "the local admin endpoints answer only direct connections from this machine (127.0.0.1 or ::1),"
                            + " not through a proxy", null));
        }
        @Nullable String presented = header.apply(LocalAdminAccess.TOKEN_HEADER);
        if (presented == null || presented.isBlank()) {
            return new Refusal(HttpServletResponse.SC_UNAUTHORIZED, ApiError.of("local_admin_token_required",
                    "header " + LocalAdminAccess.TOKEN_HEADER + " missing: use `iploop admin`, which reads the token"
                            + " from DATA_DIR/secrets/local-admin", null));
        }
        if (!token.matches(presented.strip())) {
            return new Refusal(HttpServletResponse.SC_UNAUTHORIZED, ApiError.of("local_admin_token_invalid",
                    "wrong local admin token (the server writes a new one to DATA_DIR/secrets/local-admin at each"
                            + " start)", null));
        }
        return null;
    }

    private static boolean isLoopback(String remoteAddr) {
        try {
            return InetAddress.ofLiteral(remoteAddr).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        @Nullable Refusal refusal = check(request.getRemoteAddr(), request::getHeader, token);
        if (refusal != null) {
            response.setStatus(refusal.status());
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            json.writeValue(response.getOutputStream(), refusal.error());
            return;
        }
        var authentication = new PreAuthenticatedAuthenticationToken(PRINCIPAL, null,
                AuthorityUtils.createAuthorityList(AUTHORITY));
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(authentication);
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
