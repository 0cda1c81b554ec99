package io.iploop.gateway.spi;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What one pool port looks like now (docs/upstream-pool.md#health), for operators and the control
 * plane. Immutable snapshot.
 *
 * @param port the local pool port
 * @param upstream the upstream as {@code scheme://[user:***@]host:port} (never the password)
 * @param state {@code UP}, {@code DOWN} (failed its health checks) or {@code BIND_FAILED} (the port
 *     could not be bound; nothing is served on it)
 * @param reason why it is down or not bound, else null
 * @param since when the state last changed (or the port was added)
 * @param openSockets customer sockets open on the port now
 */
public record PoolPortStatus(int port, String upstream, State state, @Nullable String reason, Instant since,
        int openSockets) {

    /** A pool port's state. */
    public enum State {
        /** Served; the upstream passes its health checks (or has not failed one yet). */
        UP,
        /** Served, but customers get 503 {@code upstream_unavailable}: the upstream failed its checks. */
        DOWN,
        /** Not served: binding the port failed (in use, not permitted). */
        BIND_FAILED
    }
}
