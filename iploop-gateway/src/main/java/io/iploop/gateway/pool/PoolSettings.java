package io.iploop.gateway.pool;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How the gateway serves the upstream pool (docs/upstream-pool.md, docs/configuration.md). Immutable.
 *
 * @param firstPort lowest pool port (default 4000)
 * @param lastPort highest pool port (default 4999)
 * @param bindAddress address the pool ports listen on, or null for the gateway's bind address
 * @param reloadInterval how often the upstream list is polled (default 5 s)
 * @param reloadGrace how long a removed port's open tunnels may go on (default 30 s)
 * @param healthInterval how often each upstream is checked (default 30 s)
 * @param healthTimeout how long one check may take (default 10 s)
 * @param probeUrl the {@code http://} URL fetched through each upstream by a check, or null to
 *     check only that the upstream accepts a TCP connection
 * @param connectTimeout connect and handshake timeout towards an upstream (default 10 s)
 * @param strikeAfter how long an account may stay over its thread limit (default 15 min)
 * @param lockout how long it is then locked out (default 1 h)
 * @param healthFailures consecutive failed checks that mark an upstream down (default 2, 1-100)
 */
public record PoolSettings(int firstPort, int lastPort, @Nullable String bindAddress, Duration reloadInterval,
        Duration reloadGrace, Duration healthInterval, Duration healthTimeout, @Nullable URI probeUrl,
        Duration connectTimeout, Duration strikeAfter, Duration lockout, int healthFailures) {

    /** The defaults: ports 4000-4999, no probe URL. */
    public static final PoolSettings DEFAULTS = new PoolSettings(4000, 4999, null, Duration.ofSeconds(5),
            Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(10), null, Duration.ofSeconds(10),
            Duration.ofMinutes(15), Duration.ofHours(1), 2);

    /**
     * @throws IllegalArgumentException naming the setting when a port is out of range or a duration not positive
     */
    public PoolSettings {
        if (firstPort < 1 || lastPort > 65535 || lastPort < firstPort) {
            throw new IllegalArgumentException("pool ports: " + firstPort + "-" + lastPort
                    + " (expected: 1 <= first <= last <= 65535)");
        }
        positive("reloadInterval", reloadInterval);
        if (reloadGrace.isNegative()) {
            throw new IllegalArgumentException("reloadGrace: " + reloadGrace + " (expected: >= 0)");
        }
        positive("healthInterval", healthInterval);
        positive("healthTimeout", healthTimeout);
        positive("connectTimeout", connectTimeout);
        positive("strikeAfter", strikeAfter);
        positive("lockout", lockout);
        if (healthFailures < 1 || healthFailures > 100) {
            throw new IllegalArgumentException("healthFailures: " + healthFailures + " (expected: 1-100)");
        }
        if (probeUrl != null && !"http".equalsIgnoreCase(probeUrl.getScheme())) {
            throw new IllegalArgumentException("probeUrl: " + probeUrl + " (expected: an http:// URL)");
        }
    }

    private static void positive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    /** Whether {@code port} lies in the pool range. */
    public boolean inRange(int port) {
        return port >= firstPort && port <= lastPort;
    }
}
