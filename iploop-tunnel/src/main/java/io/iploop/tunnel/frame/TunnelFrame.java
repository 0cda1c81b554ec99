package io.iploop.tunnel.frame;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One decoded (or to-be-encoded) frame. Reference counted through its payload: whoever receives
 * a frame must release it. Not thread-safe.
 */
public final class TunnelFrame extends DefaultByteBufHolder {

    private final FrameType type;
    private final int streamId;

    /**
     * @param streamId 0 for session frames, 1..2^31-1 for stream frames
     * @param payload the payload, owned by this frame from now on
     */
    public TunnelFrame(FrameType type, int streamId, ByteBuf payload) {
        super(payload);
        this.type = type;
        this.streamId = streamId;
    }

    public FrameType type() {
        return type;
    }

    public int streamId() {
        return streamId;
    }

    /** The payload (same as {@link #content()}). */
    public ByteBuf payload() {
        return content();
    }

    @Override
    public String toString() {
        return "TunnelFrame(" + type + ", stream=" + streamId + ", " + content().readableBytes() + "B)";
    }
}
