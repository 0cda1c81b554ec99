package io.iploop.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The tunnel connection's WebSocket frame decoder (RFC 6455 §5.2), put in place of Netty's
 * {@code WebSocket13FrameDecoder} when the handshake completes ({@link TunnelPipeline}). It applies the
 * same rules in the same order with the same close codes (reserved bits, masking as configured,
 * reserved opcodes, control frames final and at most 125 bytes, a close body's status code and UTF-8,
 * continuation only inside a fragmented message, minimal length encoding, the configured largest
 * frame), but hands an unmasked binary or continuation payload of at least {@link #MIN_SLICED_PAYLOAD}
 * bytes on as a retained slice of the received bytes instead of a copy: Netty's copy of every payload
 * was 14 % of the hub's event loop in a 64 MiB download (iploop-bench/PROFILE.md, round 5).
 *
 * <p>Smaller and masked payloads are still copied: a slice keeps the whole read buffer it lies in
 * alive until the frame is written on, and a peer sending tiny frames could otherwise make a queue of
 * small frames hold many times their size; a masked payload must be rewritten, which is a copy's work
 * anyway.
 *
 * <p>After a violation the decoder sends a close frame with the violation's status (when the config
 * says so), discards everything further and raises {@link CorruptedWebSocketFrameException}, as
 * Netty's does. Not sharable; runs on the channel's event loop.
 */
final class TunnelWebSocketDecoder extends ByteToMessageDecoder implements WebSocketFrameDecoder {

    /** Smallest payload handed on as a slice, in bytes; smaller ones are copied (see class doc). */
    static final int MIN_SLICED_PAYLOAD = 4096;

    private static final int OPCODE_CONTINUATION = 0x0;
    private static final int OPCODE_TEXT = 0x1;
    private static final int OPCODE_BINARY = 0x2;
    private static final int OPCODE_CLOSE = 0x8;
    private static final int OPCODE_PING = 0x9;
    private static final int OPCODE_PONG = 0xA;
    private static final int MAX_CONTROL_PAYLOAD = 125;

    private enum State { HEADER, PAYLOAD, CORRUPT }

    private final WebSocketDecoderConfig config;
    private State state = State.HEADER;
    /** Data frames of the current fragmented message received so far; 0 outside one. */
    private int fragments;
    private boolean closeReceived;
    // The frame whose payload is awaited (state PAYLOAD).
    private boolean fin;
    private int rsv;
    private int opcode;
    private int payloadLength;
    private int mask;
    private boolean masked;

    /** @param config the rules Netty's decoder would have applied to this connection */
    TunnelWebSocketDecoder(WebSocketDecoderConfig config) {
        this.config = config;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (closeReceived || state == State.CORRUPT) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (state == State.HEADER && !readHeader(ctx, in)) {
            return;
        }
        if (in.readableBytes() < payloadLength) {
            return;
        }
        state = State.HEADER;
        out.add(opcode >= OPCODE_CLOSE ? controlFrame(ctx, in) : dataFrame(ctx, in));
    }

    /**
     * Checks and consumes one frame header once all of it is readable; each rule is checked as soon
     * as the bytes it needs are there, so a bad frame is refused before its payload arrives.
     *
     * @return whether the header was consumed (state PAYLOAD)
     */
    private boolean readHeader(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < 2) {
            return false;
        }
        int start = in.readerIndex();
        int b0 = in.getUnsignedByte(start);
        int b1 = in.getUnsignedByte(start + 1);
        fin = (b0 & 0x80) != 0;
        rsv = (b0 & 0x70) >> 4;
        opcode = b0 & 0x0F;
        masked = (b1 & 0x80) != 0;
        int length7 = b1 & 0x7F;
        checkFirstTwoBytes(ctx, in, length7);

        int lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        if (in.readableBytes() < 2 + lengthBytes) {
            return false;
        }
        long length;
        if (length7 == 126) {
            length = in.getUnsignedShort(start + 2);
            if (length < 126) {
                violation(ctx, in, WebSocketCloseStatus.PROTOCOL_ERROR,
                        "invalid data frame length (not using minimal length encoding)");
            }
        } else if (length7 == 127) {
            length = in.getLong(start + 2);
            if (length < 65536) { // also a negative length: the top bit must be 0
                violation(ctx, in, WebSocketCloseStatus.PROTOCOL_ERROR,
                        "invalid data frame length (not using minimal length encoding)");
            }
        } else {
            length = length7;
        }
        if (length > config.maxFramePayloadLength()) {
            violation(ctx, in, WebSocketCloseStatus.MESSAGE_TOO_BIG,
                    "Max frame length of " + config.maxFramePayloadLength() + " has been exceeded.");
        }
        int headerBytes = 2 + lengthBytes + (masked ? 4 : 0);
        if (in.readableBytes() < headerBytes) {
            return false;
        }
        payloadLength = (int) length;
        mask = masked ? in.getInt(start + 2 + lengthBytes) : 0;
        in.skipBytes(headerBytes);
        state = State.PAYLOAD;
        return true;
    }

    private void checkFirstTwoBytes(ChannelHandlerContext ctx, ByteBuf in, int length7) {
        if (rsv != 0 && !config.allowExtensions()) {
            violation(ctx, in, WebSocketCloseStatus.PROTOCOL_ERROR, "RSV != 0 and no extension negotiated, RSV:" + rsv);
        }
        if (!config.allowMaskMismatch() && config.expectMaskedFrames() != masked) {
            violation(ctx, in, WebSocketCloseStatus.PROTOCOL_ERROR, "received a frame that is not masked as expected");
        }
        if (opcode >= OPCODE_CLOSE) {
            if (!fin) {
                violation(ctx, in, WebSocketCloseStatus.PROTOCOL_ERROR, "fragmented control frame");
            }
            if (length7 > MAX_CONTROL_PAYLOAD) {
                violation(ctx, in, WebSocketCloseStatus.PROTOCOL_ERROR, "control frame with payload length > 125 octets");
            }
            if (opcode != OPCODE_CLOSE && opcode != OPCODE_PING && opcode != OPCODE_PONG) {
                violation(ctx, in, WebSocketCloseStatus.PROTOCOL_ERROR, "control frame using reserved opcode " + opcode);
            }
            if (opcode == OPCODE_CLOSE && length7 == 1) {
                violation(ctx, in, WebSocketCloseStatus.PROTOCOL_ERROR, "received close control frame with payload len 1");
            }
        } else {
            if (opcode != OPCODE_CONTINUATION && opcode != OPCODE_TEXT && opcode != OPCODE_BINARY) {
                violation(ctx, in, WebSocketCloseStatus.PROTOCOL_ERROR, "data frame using reserved opcode " + opcode);
            }
            if (fragments == 0 && opcode == OPCODE_CONTINUATION) {
                violation(ctx, in, WebSocketCloseStatus.PROTOCOL_ERROR,
                        "received continuation data frame outside fragmented message");
            }
            if (fragments != 0 && opcode != OPCODE_CONTINUATION) {
                violation(ctx, in, WebSocketCloseStatus.PROTOCOL_ERROR,
                        "received non-continuation data frame while inside fragmented message");
            }
        }
    }

    private WebSocketFrame controlFrame(ChannelHandlerContext ctx, ByteBuf in) {
        ByteBuf payload = copyPayload(ctx, in);
        if (opcode == OPCODE_PING) {
            return new PingWebSocketFrame(fin, rsv, payload);
        }
        if (opcode == OPCODE_PONG) {
            return new PongWebSocketFrame(fin, rsv, payload);
        }
        closeReceived = true;
        try {
            checkCloseBody(ctx, payload);
        } catch (CorruptedWebSocketFrameException e) {
            payload.release();
            throw e;
        }
        return new CloseWebSocketFrame(fin, rsv, payload);
    }

    private WebSocketFrame dataFrame(ChannelHandlerContext ctx, ByteBuf in) {
        fragments = fin ? 0 : fragments + 1;
        ByteBuf payload = !masked && payloadLength >= MIN_SLICED_PAYLOAD
                ? in.readRetainedSlice(payloadLength)
                : copyPayload(ctx, in);
        return switch (opcode) {
            case OPCODE_TEXT -> new TextWebSocketFrame(fin, rsv, payload);
            case OPCODE_BINARY -> new BinaryWebSocketFrame(fin, rsv, payload);
            default -> new ContinuationWebSocketFrame(fin, rsv, payload);
        };
    }

    /** Reads the payload into a buffer of its own, unmasked. */
    private ByteBuf copyPayload(ChannelHandlerContext ctx, ByteBuf in) {
        ByteBuf payload = ctx.alloc().buffer(payloadLength);
        in.readBytes(payload, payloadLength);
        if (masked) {
            unmask(payload);
        }
        return payload;
    }

    /** XORs the payload with the frame's key, four bytes at a time (big-endian, as the key is sent). */
    private void unmask(ByteBuf payload) {
        int i = payload.readerIndex();
        int end = payload.writerIndex();
        for (; i + 4 <= end; i += 4) {
            payload.setInt(i, payload.getInt(i) ^ mask);
        }
        for (int k = 0; i < end; i++, k++) {
            payload.setByte(i, payload.getByte(i) ^ (mask >>> (24 - 8 * k)));
        }
    }

    /** A close body is empty or a valid status code followed by UTF-8 (RFC 6455 §5.5.1). */
    private void checkCloseBody(ChannelHandlerContext ctx, ByteBuf body) {
        if (!body.isReadable()) {
            return;
        }
        int status = body.getShort(body.readerIndex());
        if (!WebSocketCloseStatus.isValidStatusCode(status)) {
            violation(ctx, body, WebSocketCloseStatus.PROTOCOL_ERROR, "Invalid close frame getStatus code: " + status);
        }
        int reasonBytes = body.readableBytes() - 2;
        if (reasonBytes > 0 && !ByteBufUtil.isText(body, body.readerIndex() + 2, reasonBytes, StandardCharsets.UTF_8)) {
            violation(ctx, body, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "bytes are not UTF-8");
        }
    }

    /** Refuses the connection: close frame (if configured), nothing more read, exception up the pipeline. */
    private void violation(ChannelHandlerContext ctx, ByteBuf in, WebSocketCloseStatus status, String reason) {
        state = State.CORRUPT;
        in.skipBytes(in.readableBytes());
        if (ctx.channel().isActive() && config.closeOnProtocolViolation()) {
            Object close = closeReceived ? Unpooled.EMPTY_BUFFER : new CloseWebSocketFrame(status, reason);
            ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
        }
        throw new CorruptedWebSocketFrameException(status, reason);
    }
}
