package io.iploop.server.pool.internal;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;

/**
 * The goproxy hooks' gate (docs/upstream-pool.md#goproxy-compatible-hooks): a request passes only if
 * the TCP peer of the socket is a loopback address and it carries no forwarding header. The peer is
 * read from the container's own request, under every wrapper (the trusted-proxy filter's wrapper
 * reports the forwarded client instead), so {@code X-Forwarded-For} can neither open nor fake it;
 * a request relayed by a local reverse proxy carries forwarding headers and is refused too, because
 * the hooks must never be reachable from outside this machine. Stateless; thread-safe.
 */
final class LoopbackGuard {

    private static final String[] FORWARDING_HEADERS = {"X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host"};

    private LoopbackGuard() {}

    /** Whether the request may use the hooks. */
    static boolean allows(HttpServletRequest request) {
        for (String h : FORWARDING_HEADERS) {
            if (request.getHeader(h) != null) {
                return false;
            }
        }
        return isLoopback(peer(request));
    }

    /** The socket peer's address as the servlet container saw it, under any request wrappers. */
    static String peer(ServletRequest request) {
        ServletRequest r = request;
        while (r instanceof ServletRequestWrapper w) {
            r = w.getRequest();
        }
        return r.getRemoteAddr();
    }

    static boolean isLoopback(String address) {
        try {
            return InetAddress.ofLiteral(address).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
