package io.iploop.server.pool;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An upstream as the admin API shows it: never its password. Immutable.
 *
 * @param port the local pool port
 * @param scheme {@code http} or {@code socks5}
 * @param host the upstream's host
 * @param upstreamPort the upstream's port
 * @param username the upstream's user name, or null
 * @param hasPassword whether a (sealed) password is stored
 * @param updatedAt last import that touched it
 */
public record PoolUpstreamView(int port, String scheme, String host, int upstreamPort, @Nullable String username,
        boolean hasPassword, Instant updatedAt) {}
