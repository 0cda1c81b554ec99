package io.iploop.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TunnelWebSocketDecoder} against Netty's {@link WebSocket13FrameDecoder} on the same bytes,
 * whole and one byte per read: the same frames out (type, flags, payload), and for every malformed or
 * oversized frame the same refusal (exception with the same close status, the same close frame sent
 * back). Large unmasked payloads come out as slices of the input, not copies.
 */
class TunnelWebSocketDecoderTest {

    private static final int MAX = TunnelProtocol.HEADER_BYTES + TunnelProtocol.MAX_DATA_PAYLOAD;

    /** The hub's rules (TunnelPipeline.server). */
    private static final WebSocketDecoderConfig HUB = WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(MAX).allowExtensions(false).expectMaskedFrames(true).allowMaskMismatch(true).build();

    /** The node's rules (TunnelPipeline.client). */
    private static final WebSocketDecoderConfig NODE = WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(MAX).allowExtensions(false).expectMaskedFrames(false).allowMaskMismatch(false).build();

    /** What a decoder made of some input: frames, then the refusal if any. */
    private record Outcome(List<String> frames, @Nullable Integer refusedWith, @Nullable Integer closeSent) {}

    private static Outcome run(Supplier<ChannelHandler> decoder, boolean bytewise, byte[] input) {
        EmbeddedChannel ch = new EmbeddedChannel(decoder.get());
        ch.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        List<String> frames = new ArrayList<>();
        Integer refused = null;
        try {
            if (bytewise) {
                for (byte b : input) {
                    ch.writeInbound(ch.alloc().buffer(1).writeByte(b));
                    drain(ch, frames);
                }
            } else {
                ch.writeInbound(ch.alloc().buffer(input.length).writeBytes(input));
            }
        } catch (CorruptedWebSocketFrameException e) {
            refused = e.closeStatus().code();
        }
        drain(ch, frames);
        Integer closeSent = null;
        for (Object o; (o = ch.readOutbound()) != null; ) {
            if (o instanceof CloseWebSocketFrame close) {
                closeSent = close.statusCode();
            }
            ReferenceCountUtil.release(o);
        }
        ch.finishAndReleaseAll();
        return new Outcome(frames, refused, closeSent);
    }

    private static void drain(EmbeddedChannel ch, List<String> frames) {
        for (WebSocketFrame f; (f = ch.readInbound()) != null; ) {
            frames.add(f.getClass().getSimpleName() + " fin=" + f.isFinalFragment() + " rsv=" + f.rsv() + " "
                    + ByteBufUtil.hexDump(f.content()));
            f.release();
        }
    }

    private static void assertSameAsNetty(WebSocketDecoderConfig config, byte[] input, boolean refused) {
        for (boolean bytewise : new boolean[] {false, true}) {
            Outcome netty = run(() -> new WebSocket13FrameDecoder(config), bytewise, input);
            Outcome ours = run(() -> new TunnelWebSocketDecoder(config), bytewise, input);
            assertThat(ours).as("bytewise=%s", bytewise).isEqualTo(netty);
            assertThat(ours.refusedWith() != null).as("refused").isEqualTo(refused);
        }
    }

    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    /** One frame: FIN/RSV/opcode byte, then the length (minimal encoding), key if masked, payload (masked). */
    private static byte[] frame(int b0, byte @Nullable [] key, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        int maskBit = key != null ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            out.write(maskBit | 126);
            out.write(payload.length >> 8);
            out.write(payload.length);
        } else {
            out.write(maskBit | 127);
            out.writeBytes(new byte[] {0, 0, 0, 0, (byte) (payload.length >>> 24), (byte) (payload.length >>> 16),
                    (byte) (payload.length >>> 8), (byte) payload.length});
        }
        byte[] body = payload.clone();
        if (key != null) {
            out.writeBytes(key);
            for (int i = 0; i < body.length; i++) {
                body[i] ^= key[i % 4];
            }
        }
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Arrays.stream(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static byte[] payload(int size) {
        byte[] p = new byte[size];
        for (int i = 0; i < size; i++) {
            p[i] = (byte) (i * 31 + 7);
        }
        return p;
    }

    @Test
    void wellFormedFramesDecodeAsNettysDo() {
        byte[] key = {0x11, 0x22, 0x33, 0x44};
        byte[] input = concat(
                frame(0x82, null, payload(0)),
                frame(0x82, null, payload(125)),
                frame(0x82, key, payload(7)),
                frame(0x82, key, payload(5000)),
                frame(0x82, null, payload(TunnelWebSocketDecoder.MIN_SLICED_PAYLOAD - 1)),
                frame(0x82, null, payload(TunnelWebSocketDecoder.MIN_SLICED_PAYLOAD)),
                frame(0x02, null, payload(3)), // a fragmented message with a ping inside
                frame(0x89, null, payload(4)),
                frame(0x00, null, payload(9000)),
                frame(0x80, key, payload(2)),
                frame(0x81, null, "héllo".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                frame(0x8A, key, payload(3)),
                frame(0x88, null, bytes("03e8 6279 65")), // 1000 "bye"; what follows a close is dropped
                frame(0x82, null, payload(10)));
        assertSameAsNetty(HUB, input, false);
        assertSameAsNetty(NODE, concat(frame(0x82, null, payload(MAX)), frame(0x82, null, payload(70_000 - MAX + 1000))),
                false);
    }

    @ParameterizedTest(name = "hub refuses {0}")
    @ValueSource(strings = {
            "c2 00", // RSV1 without an extension
            "83 00", // reserved data opcode
            "8b 00", // reserved control opcode
            "09 00", // fragmented control frame
            "89 7e 00 7e", // control frame over 125 bytes
            "88 01 03", // close with a 1-byte body
            "80 00", // continuation outside a fragmented message
            "02 00 82 00", // new message inside a fragmented one
            "82 7e 00 10", // 16-bit length below 126
            "82 7f 00 00 00 00 00 00 01 00", // 64-bit length below 65536
            "82 7f 80 00 00 00 00 00 00 00", // negative 64-bit length
            "82 7f 00 00 00 00 00 10 00 00", // 1 MiB: over the largest frame
            "82 fe ff ff 01 02 03 04", // 65 535 masked bytes announced, within the limit: both wait for them
            "88 02 03 e7", // close status 999
            "88 04 03 e8 ff fe", // close reason not UTF-8
    })
    void malformedFramesAreRefusedAsNettyRefusesThem(String hex) {
        byte[] input = bytes(hex);
        boolean waits = hex.startsWith("82 fe");
        assertSameAsNetty(HUB, input, !waits);
    }

    @Test
    void oversizedFrameIsRefusedBeforeItsPayload() {
        byte[] header = bytes("82 7f 00 00 00 00 00 01 00 0d"); // MAX + 1 bytes announced, none sent
        assertThat(MAX + 1).isEqualTo(0x1000d);
        assertSameAsNetty(HUB, header, true);
        assertSameAsNetty(NODE, header, true);
    }

    @Test
    void nodeRefusesMaskedFramesAsNettyDoes() {
        assertSameAsNetty(NODE, frame(0x82, new byte[] {1, 2, 3, 4}, payload(10)), true);
    }

    @Test
    void largeUnmaskedPayloadIsASliceOfTheInput() {
        EmbeddedChannel ch = new EmbeddedChannel(new TunnelWebSocketDecoder(HUB));
        ch.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        byte[] big = payload(65_000);
        ByteBuf in = ch.alloc().buffer().writeBytes(frame(0x82, null, big));
        ch.writeInbound(in);
        WebSocketFrame f = ch.readInbound();
        assertThat(f.content().unwrap()).as("a slice, not a copy").isNotNull();
        assertThat(ByteBufUtil.getBytes(f.content())).isEqualTo(big);
        f.release();
        assertThat(in.refCnt()).as("the input released with the frame").isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
