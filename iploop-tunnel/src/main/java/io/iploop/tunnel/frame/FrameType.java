package io.iploop.tunnel.frame;

import org.jspecify.annotations.Nullable;

/**
 * Frame types (docs/protocol.md §3), each with where it may travel and its payload bounds in bytes.
 * {@link #FIN} exists from protocol version 2 on; a session that negotiated version 1 rejects it.
 */
public enum FrameType {
    HELLO(0x01, false, 4, 4096),
    WELCOME(0x02, false, 7, 4096),
    OPEN(0x03, true, 4, 258),
    OPEN_OK(0x04, true, 0, 0),
    OPEN_FAIL(0x05, true, 1, 1025),
    DATA(0x06, true, 1, TunnelFrameCodec.MAX_DATA_PAYLOAD),
    WINDOW(0x07, true, 4, 4),
    CLOSE(0x08, true, 1, 1025),
    PING(0x09, false, 8, 8),
    PONG(0x0A, false, 8, 8),
    DRAIN(0x0B, false, 4, 4),
    /** This direction of the stream has ended (TCP half-close); the other keeps flowing. Version 2+. */
    FIN(0x0C, true, 0, 0);

    private static final @Nullable FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;
    private final boolean streamFrame;
    private final int minPayload;
    private final int maxPayload;

    FrameType(int code, boolean streamFrame, int minPayload, int maxPayload) {
        this.code = code;
        this.streamFrame = streamFrame;
        this.minPayload = minPayload;
        this.maxPayload = maxPayload;
    }

    /** The wire code. */
    public int code() {
        return code;
    }

    /** True if the frame belongs to a stream (stream id &gt; 0), false for session frames (stream id 0). */
    public boolean isStreamFrame() {
        return streamFrame;
    }

    /** Smallest valid payload, in bytes. */
    public int minPayload() {
        return minPayload;
    }

    /** Largest valid payload, in bytes. */
    public int maxPayload() {
        return maxPayload;
    }

    /** The type for a wire code, or null if unknown. */
    public static @Nullable FrameType ofCode(int code) {
        return code < 0 || code > 255 ? null : BY_CODE[code];
    }
}
