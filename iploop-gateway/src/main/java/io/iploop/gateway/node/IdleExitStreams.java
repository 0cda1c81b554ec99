package io.iploop.gateway.node;

import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The idle node streams that finished HTTP exchanges left open, kept for the next request of the
 * same customer, targeting and destination that the selector sends to the same node
 * (docs/exit-reuse.md): that request skips the OPEN round trip and the exit's TCP handshake with the
 * origin, as Squid's persistent server connections do. Never shared between customers (API keys or
 * sub-users) or sessions. A stream stays idle at most {@link #idleMillis()} ms (default 4 000,
 * below the 5 s keep-alive timeout of Apache httpd and Node.js, system property
 * {@code iploop.gateway.exit-reuse-idle-ms}; 0 turns reuse off), at most {@value #MAX_PER_KEY} per
 * key, {@value #MAX_PER_NODE} per node (idle streams count against the node's stream limit, so they
 * must not crowd out other customers' OPENs) and {@value #MAX_TOTAL} in all; newest first. Thread-safe: each key's streams are changed
 * under the map's lock for that key.
 */
final class IdleExitStreams {

    /** What a stream may be reused for: one customer, one targeting (session), one destination, one node. */
    record Key(CustomerPrincipal principal, Targeting targeting, String host, int port, UUID nodeId) {}

    static final int MAX_PER_KEY = 64;
    static final int MAX_PER_NODE = 128;
    static final int MAX_TOTAL = 8192;

    private final ConcurrentHashMap<Key, ArrayDeque<NodeExitStream>> idle = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final long idleMillis;

    /** With the idle time of the system property {@code iploop.gateway.exit-reuse-idle-ms} (default 4 000 ms). */
    IdleExitStreams() {
        this(Long.getLong("iploop.gateway.exit-reuse-idle-ms", 4_000L));
    }

    /** @param idleMillis how long a stream may wait for its next request, in ms; 0 or less keeps none */
    IdleExitStreams(long idleMillis) {
        this.idleMillis = idleMillis;
    }

    /** The key of {@code request}'s streams through {@code nodeId}; {@code asciiHost} as sent in OPEN. */
    static Key key(ExitRequest request, String asciiHost, UUID nodeId) {
        return new Key(request.principal(), request.targeting(), asciiHost.toLowerCase(Locale.ROOT), request.port(), nodeId);
    }

    /** Whether streams are kept at all. */
    boolean enabled() {
        return idleMillis > 0;
    }

    long idleMillis() {
        return idleMillis;
    }

    /** Idle streams held now. */
    int size() {
        return size.get();
    }

    /**
     * Keeps {@code stream} (already in its idle state) until it is taken, expires or ends.
     *
     * @return false when reuse is off or a cap is reached: the caller closes the stream
     */
    boolean park(NodeExitStream stream, Key key) {
        if (!enabled()) {
            return false;
        }
        if (size.incrementAndGet() > MAX_TOTAL | stream.node().idleStreams.incrementAndGet() > MAX_PER_NODE) {
            size.decrementAndGet();
            stream.node().idleStreams.decrementAndGet();
            return false;
        }
        boolean[] kept = {false};
        idle.compute(key, (k, streams) -> {
            ArrayDeque<NodeExitStream> d = streams == null ? new ArrayDeque<>() : streams;
            if (d.size() < MAX_PER_KEY) {
                d.addFirst(stream);
                kept[0] = true;
            }
            return d.isEmpty() ? null : d;
        });
        if (!kept[0]) {
            size.decrementAndGet();
            stream.node().idleStreams.decrementAndGet();
            return false;
        }
        long generation = stream.idleGeneration();
        stream.executor().schedule(() -> stream.expireIdle(generation), idleMillis, TimeUnit.MILLISECONDS);
        return true;
    }

    /** The newest idle stream for {@code key} that is still open, now in use by the caller; null if none. */
    @Nullable NodeExitStream take(Key key) {
        if (!enabled()) {
            return null;
        }
        NodeExitStream[] taken = {null};
        idle.computeIfPresent(key, (k, d) -> {
            for (NodeExitStream s; taken[0] == null && (s = d.pollFirst()) != null; ) {
                size.decrementAndGet();
                s.node().idleStreams.decrementAndGet();
                if (s.takeFromIdle()) {
                    taken[0] = s;
                }
            }
            return d.isEmpty() ? null : d;
        });
        return taken[0];
    }

    /** Forgets {@code stream} (it expired or ended while idle). */
    void remove(NodeExitStream stream, Key key) {
        idle.computeIfPresent(key, (k, d) -> {
            if (d.remove(stream)) {
                size.decrementAndGet();
                stream.node().idleStreams.decrementAndGet();
            }
            return d.isEmpty() ? null : d;
        });
    }
}
