package io.iploop.gateway.spi;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Durable node state (docs/product/nodes.md#node-record). Called from one dedicated gateway thread, never from an
 * event loop; may block.
 */
public interface NodeStore {

    /** Keeps nothing: for a gateway without a control plane (the benchmark harness, tests). */
    NodeStore NONE = new NodeStore() {
        @Override
        public void connected(UUID nodeId, String ipAddress, Instant at) {}

        @Override
        public void disconnected(UUID nodeId, Instant at) {}

        @Override
        public void addCounters(List<NodeCounters> deltas) {}
    };

    /** A node's hub connection opened ({@code status = available}, {@code connected_since = at}). */
    void connected(UUID nodeId, String ipAddress, Instant at);

    /** A node's hub connection closed ({@code status = inactive}). */
    void disconnected(UUID nodeId, Instant at);

    /**
     * The hub refused a second agent presenting the device id of node {@code nodeId}, which another
     * live session already serves (a copied disk or volume; docs/protocol.md §4.1). The established
     * session keeps serving; the operator's device page shows the clash. Default: not recorded.
     *
     * @param ipAddress the refused newcomer's public address (IP literal)
     * @param at when the newcomer was refused
     */
    default void idClash(UUID nodeId, String ipAddress, Instant at) {}

    /**
     * Adds counter deltas accumulated since the last call, one entry per node that changed.
     *
     * @param deltas bytes carried (both directions), streams opened and streams that reached the
     *     target, and the last heartbeat seen
     */
    void addCounters(List<NodeCounters> deltas);

    /**
     * Nodes whose operators paused sharing (docs/product/earn.md#credit-calculation): they stay connected but get no new
     * streams. Polled about once a second from the store thread, so a pause takes effect within
     * that interval without a database round trip per request. Default: none.
     */
    default Set<UUID> pausedNodeIds() {
        return Set.of();
    }

    /**
     * Nodes that must not stay connected (docs/moderation.md): banned by an admin, or admitted with a
     * node key its owner has since revoked. Polled with {@link #pausedNodeIds()}, about once a second
     * from the store thread: the hub closes their sessions (open streams end) and never selects them;
     * keeping them out afterwards is the {@link NodeAuthenticator}'s job, which refuses their HELLO.
     * Only connected nodes need to be listed. Default: none.
     */
    default Set<UUID> evictedNodeIds() {
        return Set.of();
    }

    /**
     * Counter deltas for one node.
     *
     * @param bytes bytes carried since the last report, both directions
     * @param requests streams opened through the node since the last report
     * @param successes of those, streams whose OPEN succeeded
     * @param quality the node's quality score 0-100 measured at this gateway (docs/exit-quality.md#score),
     *     null while nothing has been measured (the stored score is then kept)
     * @param figures the measured averages the score comes from, null exactly when {@code quality} is
     */
    record NodeCounters(UUID nodeId, long bytes, long requests, long successes, Instant lastHeartbeat,
            @Nullable Integer quality, @Nullable QualityFigures figures) {

        /** Counters with a score but without its figures (the stored figures are then kept). */
        public NodeCounters(UUID nodeId, long bytes, long requests, long successes, Instant lastHeartbeat,
                @Nullable Integer quality) {
            this(nodeId, bytes, requests, successes, lastHeartbeat, quality, null);
        }
    }

    /**
     * A node's measured averages at this gateway (docs/exit-quality.md#measurements). Immutable.
     *
     * @param successShare the success share average, 0-1
     * @param ttfbMillis the time-to-first-byte average in ms, null before the first sample
     * @param throughputMbps the throughput average in Mbit/s, null before the first sample
     */
    record QualityFigures(double successShare, @Nullable Double ttfbMillis, @Nullable Double throughputMbps) {}
}
