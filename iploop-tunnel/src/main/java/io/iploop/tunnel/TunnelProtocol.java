package io.iploop.tunnel;

import io.iploop.tunnel.frame.TunnelFrameCodec;

/** Protocol constants of docs/protocol.md. */
public final class TunnelProtocol {

    /** The protocol version this code speaks (the frame header's version byte). */
    public static final int VERSION = TunnelFrameCodec.VERSION;

    /** WebSocket path of the node hub. */
    public static final String WEBSOCKET_PATH = "/ws";

    /** Size of the fixed frame header, in bytes. */
    public static final int HEADER_BYTES = TunnelFrameCodec.HEADER_BYTES;

    /** Largest DATA payload, in bytes. */
    public static final int MAX_DATA_PAYLOAD = TunnelFrameCodec.MAX_DATA_PAYLOAD;

    /** Largest payload of any control frame, in bytes. */
    public static final int MAX_CONTROL_PAYLOAD = 4 * 1024;

    /** Initial per-stream receive window, in bytes (DESIGN §4). */
    public static final int INITIAL_WINDOW = 256 * 1024;

    /** Default ceiling for a stream's auto-tuned receive window, in bytes (DESIGN §4). */
    public static final int DEFAULT_MAX_WINDOW = 4 * 1024 * 1024;

    /** Default interval between heartbeats on an idle connection, in ms. */
    public static final int DEFAULT_HEARTBEAT_INTERVAL_MILLIS = 30_000;

    /** A peer silent for this long is considered dead (DESIGN §4: within 90 s), in ms. */
    public static final int DEAD_PEER_TIMEOUT_MILLIS = 90_000;

    /** WebSocket close code sent when the gateway refuses a HELLO. */
    public static final int CLOSE_CODE_REFUSED = 4403;

    /**
     * WebSocket close code sent when the gateway refuses a HELLO because another live session
     * already serves the same device id (a cloned disk or volume); docs/protocol.md §4.1. The
     * agent should back off for long and tell its operator to give the copy a new id.
     */
    public static final int CLOSE_CODE_DUPLICATE_DEVICE = 4409;

    /** WebSocket close code sent on a protocol violation. */
    public static final int CLOSE_CODE_PROTOCOL_ERROR = 4400;

    private TunnelProtocol() {}
}
