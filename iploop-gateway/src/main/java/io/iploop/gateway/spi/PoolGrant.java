package io.iploop.gateway.spi;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one account may do on the upstream pool now, as the control plane knows it
 * (docs/upstream-pool.md#limits). Limits are per account, shared by all its credentials and
 * whitelisted addresses. A value of 0 means unlimited. Immutable.
 *
 * @param ports the pool ports the account may use; empty = every pool port
 * @param maxThreads sockets the account may hold open at once on pool ports (the seed's
 *     "threads"); the strike system counts time spent above it
 * @param requestsPerSecond requests (HTTP requests, CONNECT and SOCKS5 tunnels) per second, token
 *     bucket with a burst of one second
 * @param bytesPerSecondPerSocket shaping rate of each socket, bytes per second in each direction
 * @param bytesPerSecondTotal shaping rate of all the account's pool sockets together, bytes per
 *     second in each direction
 * @param connectionsPerIp sockets open at once from one client IP
 * @param requestsPerSecondPerIp requests per second from one client IP
 * @param remainingBytes pool bytes the account may still carry this period (the plan's monthly
 *     quota minus pool usage); {@link AccountLimits#UNLIMITED_BYTES} = unlimited; 0 or less =
 *     exhausted (402)
 * @param expiresAt when the account's pool access ends (403 after it), or null for never
 */
public record PoolGrant(
        List<PoolPortRange> ports,
        int maxThreads,
        int requestsPerSecond,
        long bytesPerSecondPerSocket,
        long bytesPerSecondTotal,
        int connectionsPerIp,
        int requestsPerSecondPerIp,
        long remainingBytes,
        @Nullable Instant expiresAt) {

    /**
     * @throws IllegalArgumentException naming the field when a limit is negative
     */
    public PoolGrant {
        ports = List.copyOf(ports);
        if (maxThreads < 0 || requestsPerSecond < 0 || connectionsPerIp < 0 || requestsPerSecondPerIp < 0) {
            throw new IllegalArgumentException("pool limits: maxThreads " + maxThreads + ", requestsPerSecond "
                    + requestsPerSecond + ", connectionsPerIp " + connectionsPerIp + ", requestsPerSecondPerIp "
                    + requestsPerSecondPerIp + " (expected: >= 0, 0 = unlimited)");
        }
        if (bytesPerSecondPerSocket < 0 || bytesPerSecondTotal < 0) {
            throw new IllegalArgumentException("pool shaping: " + bytesPerSecondPerSocket + " B/s per socket, "
                    + bytesPerSecondTotal + " B/s total (expected: >= 0, 0 = unlimited)");
        }
    }

    /** @return whether the grant includes pool port {@code port} */
    public boolean allowsPort(int port) {
        if (ports.isEmpty()) {
            return true;
        }
        for (PoolPortRange r : ports) {
            if (r.contains(port)) {
                return true;
            }
        }
        return false;
    }

    /** @return whether access has ended at {@code now} */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
