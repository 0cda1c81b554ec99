package io.iploop.gateway.spi;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One upstream proxy of the upstream pool, bound to one local pool port (docs/upstream-pool.md).
 * A customer connecting to {@code port} on a gateway is chained through this upstream. Immutable;
 * {@link #toString()} never shows the password.
 *
 * @param port the local pool port the gateway listens on for this upstream, 1-65535 (the
 *     configured pool range, 4000-4999 by default)
 * @param scheme how the gateway speaks to the upstream
 * @param host the upstream's host name or IP literal, never blank
 * @param upstreamPort the upstream's TCP port, 1-65535
 * @param username the upstream's proxy user name (Basic for HTTP, RFC 1929 for SOCKS5), or null
 *     when it needs none
 * @param password the upstream's proxy password, or null when it needs none
 */
public record PoolUpstream(int port, Scheme scheme, String host, int upstreamPort, @Nullable String username,
        @Nullable String password) {

    /** The protocol the gateway uses towards an upstream. */
    public enum Scheme {
        /** HTTP proxy: CONNECT for tunnels, absolute-form for plain HTTP requests (RFC 9110 §9.3.6). */
        HTTP,
        /** SOCKS5 proxy (RFC 1928), username/password authentication (RFC 1929) when credentials are set. */
        SOCKS5;

        /** The scheme as written in an upstream URL: {@code http} or {@code socks5}. */
        public String urlScheme() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @throws IllegalArgumentException naming the field when a port is out of range or the host blank
     */
    public PoolUpstream {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (upstreamPort < 1 || upstreamPort > 65535) {
            throw new IllegalArgumentException("upstreamPort: " + upstreamPort + " (expected: 1-65535)");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: blank (expected: a host name or IP literal)");
        }
        java.util.Objects.requireNonNull(scheme, "scheme");
    }

    @Override
    public String toString() {
        return "PoolUpstream[" + port + " -> " + scheme.urlScheme() + "://" + (username == null ? "" : username + ":***@")
                + host + ":" + upstreamPort + "]";
    }
}
