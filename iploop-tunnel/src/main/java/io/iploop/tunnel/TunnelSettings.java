package io.iploop.tunnel;

/**
 * Tunables of one tunnel session. Immutable.
 *
 * @param maxWindowBytes ceiling for a stream's auto-tuned receive window, at least
 *     {@link TunnelProtocol#INITIAL_WINDOW} and at most {@link TunnelProtocol#MAX_WINDOW}
 * @param heartbeatIntervalMillis PING after this long without reading anything, in ms
 * @param deadPeerTimeoutMillis close the session after this long without reading anything, in ms
 * @param openTimeoutMillis gateway side: fail an OPEN not answered within this, in ms
 * @param maxStreams most concurrent streams per session; more OPENs are refused
 */
public record TunnelSettings(
        int maxWindowBytes, int heartbeatIntervalMillis, int deadPeerTimeoutMillis, int openTimeoutMillis, int maxStreams) {

    /** The defaults of DESIGN §4. */
    public static final TunnelSettings DEFAULTS = new TunnelSettings(
            TunnelProtocol.DEFAULT_MAX_WINDOW,
            TunnelProtocol.DEFAULT_HEARTBEAT_INTERVAL_MILLIS,
            TunnelProtocol.DEAD_PEER_TIMEOUT_MILLIS,
            15_000,
            4096);

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
        if (openTimeoutMillis <= 0) {
            throw new IllegalArgumentException("openTimeoutMillis: " + openTimeoutMillis + " (expected: > 0)");
        }
        if (maxStreams <= 0) {
            throw new IllegalArgumentException("maxStreams: " + maxStreams + " (expected: > 0)");
        }
    }

    /** A copy with other heartbeat timings (tests use short ones). */
    public TunnelSettings withHeartbeat(int intervalMillis, int deadPeerMillis) {
        return new TunnelSettings(maxWindowBytes, intervalMillis, deadPeerMillis, openTimeoutMillis, maxStreams);
    }
}
