package io.iploop.server.platform.internal;

import io.iploop.tunnel.egress.Cidr;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Behind a reverse proxy, the client's address and scheme come from the proxy's
 * {@code X-Forwarded-For} and {@code X-Forwarded-Proto}, but only when the connection comes from
 * a proxy on the trusted list ({@code IPLOOP_TRUSTED_PROXIES}: comma-separated addresses or CIDRs,
 * default none); from anyone else the headers are ignored, since anybody can send them. The
 * forwarded-for chain is read from the right, skipping trusted proxies, so the first untrusted
 * address is the client (what Tomcat's {@code RemoteIpValve} does with {@code internal-proxies}).
 * The rest of the platform sees the result through {@link HttpServletRequest#getRemoteAddr()} and
 * {@link HttpServletRequest#isSecure()}: login lockout and the per-IP block, rate limits, audit
 * entries, and the {@code Secure} flag of the session and CSRF cookies ({@code docs/security.md}).
 * Registered before Spring Security. Immutable; thread-safe.
 */
final class TrustedProxyFilter extends OncePerRequestFilter {

    /** Most {@code X-Forwarded-For} entries looked at; a longer chain is read from its right end only. */
    static final int MAX_HOPS = 20;

    private final List<Cidr> trusted;

    /**
     * @param trustedProxies comma-separated IP addresses or CIDRs; blank means none
     * @throws IllegalArgumentException naming a malformed entry
     */
    TrustedProxyFilter(String trustedProxies) {
        List<Cidr> list = new ArrayList<>();
        for (String part : trustedProxies.split(",")) {
            if (!part.isBlank()) {
                try {
                    list.add(Cidr.parse(part));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("IPLOOP_TRUSTED_PROXIES: " + e.getMessage(), e);
                }
            }
        }
        this.trusted = List.copyOf(list);
    }

    /** True if no proxy is trusted (the filter then passes every request through unchanged). */
    boolean trustsNobody() {
        return trusted.isEmpty();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (trusted.isEmpty() || !isTrusted(request.getRemoteAddr())) {
            chain.doFilter(request, response);
            return;
        }
        String client = clientAddress(request);
        String proto = request.getHeader("X-Forwarded-Proto");
        @Nullable Boolean secure = null;
        if (proto != null) {
            String p = lastEntry(proto).toLowerCase(Locale.ROOT);
            if (p.equals("https")) {
                secure = true;
            } else if (p.equals("http")) {
                secure = false;
            }
        }
        chain.doFilter(new Forwarded(request, client, secure), response);
    }

    /** The rightmost untrusted address of the forwarded-for chain, else the connection's own address. */
    private String clientAddress(HttpServletRequest request) {
        String header = request.getHeader("X-Forwarded-For");
        if (header == null || header.isBlank()) {
            return request.getRemoteAddr();
        }
        String[] hops = header.split(",", -1);
        String client = request.getRemoteAddr();
        for (int i = hops.length - 1, seen = 0; i >= 0 && seen < MAX_HOPS; i--, seen++) {
            String hop = hops[i].strip();
            if (!Cidr.isAddressLiteral(hop)) {
                break; // not an address (obfuscated, "unknown" or garbage): trust the chain no further
            }
            client = hop;
            if (!isTrusted(hop)) {
                break;
            }
        }
        return client;
    }

    private boolean isTrusted(String address) {
        if (!Cidr.isAddressLiteral(address)) {
            return false;
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(address); // a literal: no lookup
        } catch (UnknownHostException e) {
            return false;
        }
        for (Cidr c : trusted) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static String lastEntry(String header) {
        int comma = header.lastIndexOf(',');
        return (comma < 0 ? header : header.substring(comma + 1)).strip();
    }

    /** The request as the client sent it to the proxy: its address and, when known, its scheme. */
    private static final class Forwarded extends HttpServletRequestWrapper {

        private final String remoteAddr;
        private final @Nullable Boolean secure;

        Forwarded(HttpServletRequest request, String remoteAddr, @Nullable Boolean secure) {
            super(request);
            this.remoteAddr = remoteAddr;
            this.secure = secure;
        }

        @Override
        public String getRemoteAddr() {
            return remoteAddr;
        }

        @Override
        public String getRemoteHost() {
            return remoteAddr;
        }

        @Override
        public boolean isSecure() {
            return secure == null ? super.isSecure() : secure;
        }

        @Override
        public String getScheme() {
            return secure == null ? super.getScheme() : secure ? "https" : "http";
        }
    }
}
