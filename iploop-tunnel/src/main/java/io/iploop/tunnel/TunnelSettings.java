package io.iploop.tunnel;

/**
 * Tunables of one tunnel session (docs/protocol.md §6). Immutable.
 *
 * @param maxWindowBytes ceiling for a stream's auto-tuned receive window, at least
 *     {@link TunnelProtocol#INITIAL_WINDOW} and at most {@link TunnelProtocol#MAX_WINDOW}
 * @param heartbeatIntervalMillis PING after this long without reading anything, in ms
 * @param deadPeerTimeoutMillis close the session after this long without reading anything, in ms
 * @param activeHeartbeatIntervalMillis gateway side, while streams are open or the node is
 *     suspect: PING after this long without reading anything, in ms (at most
 *     {@code heartbeatIntervalMillis})
 * @param activeDeadPeerTimeoutMillis gateway side, while streams are open or the node is suspect:
 *     close the session after this long without reading anything, in ms (at most
 *     {@code deadPeerTimeoutMillis}, more than {@code activeHeartbeatIntervalMillis})
 * @param openDeadlineMillis gateway side: an OPEN after which nothing at all was read from the
 *     node within this marks the node suspect and fails with {@link OpenFailure#UNAVAILABLE}, so
 *     the gateway can retry elsewhere; in ms, at most {@code openTimeoutMillis}
 * @param openTimeoutMillis gateway side: fail an OPEN not answered within this, in ms
 * @param maxStreams most concurrent streams per session; more OPENs are refused
 */
public record TunnelSettings(
        int maxWindowBytes,
        int heartbeatIntervalMillis,
        int deadPeerTimeoutMillis,
        int activeHeartbeatIntervalMillis,
        int activeDeadPeerTimeoutMillis,
        int openDeadlineMillis,
        int openTimeoutMillis,
        int maxStreams) {

    /** The defaults of docs/protocol.md §5 and §6. */
    public static final TunnelSettings DEFAULTS = new TunnelSettings(
            TunnelProtocol.DEFAULT_MAX_WINDOW,
            TunnelProtocol.DEFAULT_HEARTBEAT_INTERVAL_MILLIS,
            TunnelProtocol.DEAD_PEER_TIMEOUT_MILLIS,
            TunnelProtocol.ACTIVE_HEARTBEAT_INTERVAL_MILLIS,
            TunnelProtocol.ACTIVE_DEAD_PEER_TIMEOUT_MILLIS,
            TunnelProtocol.DEFAULT_OPEN_DEADLINE_MILLIS,
            15_000,
            4096);

    /**
     * A node hub's defaults: {@link #DEFAULTS} with the long idle heartbeat it asks its nodes for
     * ({@link TunnelProtocol#NODE_HUB_HEARTBEAT_INTERVAL_MILLIS}); the active timings are the same.
     */
    public static final TunnelSettings NODE_HUB_DEFAULTS = DEFAULTS.withHeartbeat(
            TunnelProtocol.NODE_HUB_HEARTBEAT_INTERVAL_MILLIS, TunnelProtocol.NODE_HUB_DEAD_PEER_TIMEOUT_MILLIS);

    public TunnelSettings {
        if (maxWindowBytes < TunnelProtocol.INITIAL_WINDOW || maxWindowBytes > TunnelProtocol.MAX_WINDOW) {
            throw new IllegalArgumentException("maxWindowBytes: " + maxWindowBytes + " (expected: "
                    + TunnelProtocol.INITIAL_WINDOW + "-" + TunnelProtocol.MAX_WINDOW + ")");
        }
        if (heartbeatIntervalMillis <= 0) {
            throw new IllegalArgumentException("heartbeatIntervalMillis: " + heartbeatIntervalMillis + " (expected: > 0)");
        }
        if (deadPeerTimeoutMillis <= heartbeatIntervalMillis) {
            throw new IllegalArgumentException("deadPeerTimeoutMillis: " + deadPeerTimeoutMillis
                    + " (expected: > heartbeatIntervalMillis " + heartbeatIntervalMillis + ")");
        }
        if (activeHeartbeatIntervalMillis <= 0 || activeHeartbeatIntervalMillis > heartbeatIntervalMillis) {
            throw new IllegalArgumentException("activeHeartbeatIntervalMillis: " + activeHeartbeatIntervalMillis
                    + " (expected: 1-" + heartbeatIntervalMillis + ", the idle heartbeat interval)");
        }
        if (activeDeadPeerTimeoutMillis <= activeHeartbeatIntervalMillis || activeDeadPeerTimeoutMillis > deadPeerTimeoutMillis) {
            throw new IllegalArgumentException("activeDeadPeerTimeoutMillis: " + activeDeadPeerTimeoutMillis
                    + " (expected: > activeHeartbeatIntervalMillis " + activeHeartbeatIntervalMillis
                    + " and <= deadPeerTimeoutMillis " + deadPeerTimeoutMillis + ")");
        }
        if (openTimeoutMillis <= 0) {
            throw new IllegalArgumentException("openTimeoutMillis: " + openTimeoutMillis + " (expected: > 0)");
        }
        if (openDeadlineMillis <= 0 || openDeadlineMillis > openTimeoutMillis) {
            throw new IllegalArgumentException("openDeadlineMillis: " + openDeadlineMillis
                    + " (expected: 1-" + openTimeoutMillis + ", the open timeout)");
        }
        if (maxStreams <= 0) {
            throw new IllegalArgumentException("maxStreams: " + maxStreams + " (expected: > 0)");
        }
    }

    /** A copy with other idle heartbeat timings; the active ones are capped to them. */
    public TunnelSettings withHeartbeat(int intervalMillis, int deadPeerMillis) {
        int activeInterval = Math.min(activeHeartbeatIntervalMillis, intervalMillis);
        int activeDead = Math.max(activeInterval + 1, Math.min(activeDeadPeerTimeoutMillis, deadPeerMillis));
        return new TunnelSettings(maxWindowBytes, intervalMillis, deadPeerMillis, activeInterval, activeDead,
                openDeadlineMillis, openTimeoutMillis, maxStreams);
    }

    /** A copy with another {@code openDeadlineMillis} (the open timeout grows to it if shorter). */
    public TunnelSettings withOpenDeadline(int deadlineMillis) {
        return new TunnelSettings(maxWindowBytes, heartbeatIntervalMillis, deadPeerTimeoutMillis,
                activeHeartbeatIntervalMillis, activeDeadPeerTimeoutMillis, deadlineMillis,
                Math.max(openTimeoutMillis, deadlineMillis), maxStreams);
    }
}
