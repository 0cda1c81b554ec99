package io.iploop.tunnel;

import io.iploop.tunnel.frame.TunnelFrameCodec;

/** Protocol constants of docs/protocol.md. */
public final class TunnelProtocol {

    /**
     * The newest protocol version this code speaks (HELLO/WELCOME, docs/protocol.md §7). Version 2
     * adds FIN (TCP half-close).
     */
    public static final int VERSION = 2;

    /** The oldest protocol version this code still speaks: 1, without FIN. */
    public static final int MIN_VERSION = 1;

    /** The first protocol version with FIN (per-direction end of stream, docs/protocol.md §4.6). */
    public static final int HALF_CLOSE_VERSION = 2;

    /** The frame header's version byte: it versions the frame layout, which has not changed since 1. */
    public static final int FRAME_VERSION = TunnelFrameCodec.VERSION;

    /** WebSocket path of the node hub. */
    public static final String WEBSOCKET_PATH = "/ws";

    /** Size of the fixed frame header, in bytes. */
    public static final int HEADER_BYTES = TunnelFrameCodec.HEADER_BYTES;

    /** Largest DATA payload, in bytes. */
    public static final int MAX_DATA_PAYLOAD = TunnelFrameCodec.MAX_DATA_PAYLOAD;

    /** Largest payload of any control frame, in bytes. */
    public static final int MAX_CONTROL_PAYLOAD = 4 * 1024;

    /** Initial per-stream receive window, in bytes (docs/protocol.md §5). */
    public static final int INITIAL_WINDOW = 256 * 1024;

    /** Default ceiling for a stream's auto-tuned receive window, in bytes (docs/protocol.md §5). */
    public static final int DEFAULT_MAX_WINDOW = 4 * 1024 * 1024;

    /**
     * Most send credit a peer may grant one stream, in bytes (docs/protocol.md §5): a WINDOW
     * beyond it is a protocol error, so a peer cannot make the other side buffer without bound.
     */
    public static final int MAX_WINDOW = 64 * 1024 * 1024;

    /** Default interval between heartbeats on an idle connection, in ms (docs/protocol.md §6). */
    public static final int DEFAULT_HEARTBEAT_INTERVAL_MILLIS = 10_000;

    /**
     * A peer silent for this long is considered dead, in ms (docs/protocol.md §6): an idle node
     * that stopped answering is offline within 30 s.
     */
    public static final int DEAD_PEER_TIMEOUT_MILLIS = 25_000;

    /**
     * The idle heartbeat interval a node hub asks its nodes for in WELCOME, in ms (docs/protocol.md
     * §6, docs/scale.md#heartbeats): a hub holds many idle nodes, and their PING/PONG was most of
     * its idle CPU at 10 s. The price: a dead idle node is offline within 150 s, or within
     * seconds once a customer needs it (the active timings).
     */
    public static final int NODE_HUB_HEARTBEAT_INTERVAL_MILLIS = 60_000;

    /** A node hub closes an idle node silent for this long, in ms: 2.5 heartbeat intervals, as at 10 s. */
    public static final int NODE_HUB_DEAD_PEER_TIMEOUT_MILLIS = 150_000;

    /** Gateway side: heartbeat interval while streams are open or the node is suspect, in ms. */
    public static final int ACTIVE_HEARTBEAT_INTERVAL_MILLIS = 1_000;

    /**
     * Gateway side: a node silent for this long while streams are open (or after it left an OPEN
     * unanswered) is dead, in ms: under traffic a frozen node is offline within 10 s.
     */
    public static final int ACTIVE_DEAD_PEER_TIMEOUT_MILLIS = 6_000;

    /** Gateway side: an OPEN after which the node sent nothing for this long marks it suspect, in ms. */
    public static final int DEFAULT_OPEN_DEADLINE_MILLIS = 3_000;

    /** WebSocket close code sent when the gateway refuses a HELLO. */
    public static final int CLOSE_CODE_REFUSED = 4403;

    /**
     * WebSocket close code sent when the gateway refuses a HELLO because another live session
     * already serves the same device id (a cloned disk or volume); docs/protocol.md §4.1. The
     * agent should back off for long and tell its operator to give the copy a new id.
     */
    public static final int CLOSE_CODE_DUPLICATE_DEVICE = 4409;

    /**
     * WebSocket close code sent when the gateway cannot take the node now: it holds as many node
     * sessions as it may (its descriptor cap) or its HELLO admissions are all busy (docs/protocol.md
     * §4.1). Nothing is wrong with the node: the agent backs off (exponentially, with jitter, at
     * least {@code 5 s}) and tries again, at another address of the gateway's name when it has one.
     */
    public static final int CLOSE_CODE_TRY_ELSEWHERE = 4503;

    /** WebSocket close code sent on a protocol violation. */
    public static final int CLOSE_CODE_PROTOCOL_ERROR = 4400;

    private TunnelProtocol() {}
}
