package io.iploop.server.pool;

import io.iploop.gateway.spi.PoolUpstream;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One upstream proxy as imported, before it is bound to a pool port (docs/upstream-pool.md#upstreams-import-and-reload).
 * Two specs with the same {@link #identity()} are the same upstream: a re-import keeps its port.
 * Immutable; {@link #toString()} never shows the password.
 *
 * @param scheme HTTP or SOCKS5
 * @param host host name or IP literal (IPv6 without brackets)
 * @param upstreamPort 1-65535
 * @param username null when the upstream needs no credentials
 * @param password null when the upstream needs no credentials
 */
public record UpstreamSpec(PoolUpstream.Scheme scheme, String host, int upstreamPort, @Nullable String username,
        @Nullable String password) {

    /** Scheme, host (lower case), port and user name: what stays the same when only the password changes. */
    public String identity() {
        return scheme.urlScheme() + "|" + host.toLowerCase(Locale.ROOT) + "|" + upstreamPort + "|"
                + (username == null ? "" : username);
    }

    @Override
    public String toString() {
        return "UpstreamSpec[" + scheme.urlScheme() + "://" + (username == null ? "" : username + ":***@") + host + ":"
                + upstreamPort + "]";
    }
}
