package io.iploop.tunnel.frame;

import io.iploop.tunnel.TunnelProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * Converts between WebSocket binary messages and {@link TunnelFrame}s: exactly one frame per
 * message (docs/protocol.md §2). Validates the header before touching the payload: version, known
 * type, zero flags, stream id matching the type, payload length within the type's bounds and equal
 * to what the message carries. Any violation raises {@link TunnelProtocolException}.
 *
 * <p>Pipeline position: right after the WebSocket protocol handler, before the session handler;
 * stays for the life of the channel. Stateless and {@link ChannelHandler.Sharable}.
 */
@ChannelHandler.Sharable
public final class TunnelFrameCodec extends MessageToMessageCodec<WebSocketFrame, TunnelFrame> {

    /** The shared instance. */
    public static final TunnelFrameCodec INSTANCE = new TunnelFrameCodec();

    private TunnelFrameCodec() {}

    @Override
    protected void encode(ChannelHandlerContext ctx, TunnelFrame frame, List<Object> out) {
        ByteBuf payload = frame.payload();
        ByteBuf header = ctx.alloc().buffer(TunnelProtocol.HEADER_BYTES);
        writeHeader(header, frame.type(), frame.streamId(), payload.readableBytes());
        if (payload.readableBytes() == 0) {
            out.add(new BinaryWebSocketFrame(header));
            return;
        }
        CompositeByteBuf whole = ctx.alloc().compositeBuffer(2);
        whole.addComponent(true, header);
        whole.addComponent(true, payload.retain());
        out.add(new BinaryWebSocketFrame(whole));
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame msg, List<Object> out) {
        if (msg instanceof CloseWebSocketFrame) {
            // The session reads the close reason (a refusal message) before the channel closes.
            out.add(msg.retain());
            return;
        }
        if (!(msg instanceof BinaryWebSocketFrame)) {
            throw new TunnelProtocolException("expected a binary WebSocket message, got " + msg.getClass().getSimpleName());
        }
        if (!msg.isFinalFragment()) {
            throw new TunnelProtocolException("fragmented WebSocket messages are not allowed");
        }
        out.add(decode(msg.content()));
    }

    /**
     * Writes the 12-byte header: version u8, type u8, flags u16 (0), stream id u32, length u32.
     */
    public static void writeHeader(ByteBuf out, FrameType type, int streamId, int payloadLength) {
        out.writeByte(TunnelProtocol.FRAME_VERSION);
        out.writeByte(type.code());
        out.writeShort(0);
        out.writeInt(streamId);
        out.writeInt(payloadLength);
    }

    /**
     * Decodes one whole frame from {@code in} (header plus payload, nothing else). The returned
     * frame's payload is a retained slice of {@code in}; {@code in} itself is not released.
     *
     * @throws TunnelProtocolException naming the violated rule
     */
    public static TunnelFrame decode(ByteBuf in) {
        int size = in.readableBytes();
        if (size < TunnelProtocol.HEADER_BYTES) {
            throw new TunnelProtocolException("frame of " + size + " bytes is shorter than the 12-byte header");
        }
        int start = in.readerIndex();
        int version = in.getUnsignedByte(start);
        if (version != TunnelProtocol.FRAME_VERSION) {
            throw new TunnelProtocolException("frame version " + version + " (expected: " + TunnelProtocol.FRAME_VERSION + ")");
        }
        int code = in.getUnsignedByte(start + 1);
        FrameType type = FrameType.ofCode(code);
        if (type == null) {
            throw new TunnelProtocolException("unknown frame type 0x" + Integer.toHexString(code));
        }
        int flags = in.getUnsignedShort(start + 2);
        if (flags != 0) {
            throw new TunnelProtocolException(type + ": unknown flags 0x" + Integer.toHexString(flags));
        }
        long streamId = in.getUnsignedInt(start + 4);
        if (type.isStreamFrame() ? streamId == 0 || streamId > Integer.MAX_VALUE : streamId != 0) {
            throw new TunnelProtocolException(type + ": stream id " + streamId
                    + (type.isStreamFrame() ? " (expected: 1-" + Integer.MAX_VALUE + ")" : " (expected: 0)"));
        }
        long length = in.getUnsignedInt(start + 8);
        if (length < type.minPayload() || length > type.maxPayload()) {
            throw new TunnelProtocolException(type + ": payload length " + length
                    + " (expected: " + type.minPayload() + "-" + type.maxPayload() + ")");
        }
        if (length != size - TunnelProtocol.HEADER_BYTES) {
            throw new TunnelProtocolException(type + ": header says " + length + " payload bytes, message carries "
                    + (size - TunnelProtocol.HEADER_BYTES));
        }
        ByteBuf payload = in.retainedSlice(start + TunnelProtocol.HEADER_BYTES, (int) length);
        in.skipBytes(size);
        return new TunnelFrame(type, (int) streamId, payload);
    }
}
