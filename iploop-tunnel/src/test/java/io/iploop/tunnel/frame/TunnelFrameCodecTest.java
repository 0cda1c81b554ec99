package io.iploop.tunnel.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.tunnel.Hello;
import io.iploop.tunnel.OpenFailure;
import io.iploop.tunnel.Payloads;
import io.iploop.tunnel.PortPolicy;
import io.iploop.tunnel.TunnelProtocol;
import io.iploop.tunnel.Welcome;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The frame codec and payload decoders against valid, random and malicious input. */
class TunnelFrameCodecTest {

    private static void assertRejected(ByteBuf wire, String message) {
        try {
            assertThatThrownBy(() -> TunnelFrameCodec.decode(wire)).isInstanceOf(TunnelProtocolException.class)
                    .hasMessageContaining(message);
        } finally {
            wire.release();
        }
    }

    private static ByteBuf frame(int version, int type, int flags, long streamId, long length, byte[] payload) {
        ByteBuf b = Unpooled.buffer();
        b.writeByte(version).writeByte(type).writeShort(flags).writeInt((int) streamId).writeInt((int) length).writeBytes(payload);
        return b;
    }

    @Property
    void randomBytesEitherDecodeOrFailWithAProtocolError(@ForAll @Size(max = 200) byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            TunnelFrame f = TunnelFrameCodec.decode(in);
            assertThat(f.payload().readableBytes()).isEqualTo(bytes.length - TunnelProtocol.HEADER_BYTES);
            f.release();
        } catch (TunnelProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } finally {
            assertThat(in.refCnt()).as("the decoder keeps no reference to its input").isEqualTo(1);
            in.release();
        }
    }

    @Property
    void randomPayloadsOfEveryTypeNeverCrashTheTypedDecoders(
            @ForAll("types") FrameType type, @ForAll @Size(max = 300) byte[] payload) {
        ByteBuf p = Unpooled.wrappedBuffer(payload);
        try {
            switch (type) {
                case HELLO -> Payloads.decodeHello(p);
                case WELCOME -> Payloads.decodeWelcome(p);
                case OPEN -> {
                    if (payload.length >= 3) {
                        Payloads.decodeOpen(p);
                    }
                }
                case OPEN_FAIL -> {
                    if (payload.length >= 1) {
                        Payloads.decodeOpenFail(p);
                    }
                }
                case CLOSE -> {
                    if (payload.length >= 1) {
                        Payloads.decodeClose(p);
                    }
                }
                default -> { }
            }
        } catch (TunnelProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } finally {
            p.release();
        }
    }

    @Provide
    Arbitrary<FrameType> types() {
        return Arbitraries.of(FrameType.class);
    }

    @Property
    void dataFramesRoundTrip(@ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) int streamId, @ForAll @Size(min = 1, max = 2000) byte[] data) {
        EmbeddedChannel ch = new EmbeddedChannel(TunnelFrameCodec.INSTANCE);
        ch.writeOutbound(new TunnelFrame(FrameType.DATA, streamId, Unpooled.wrappedBuffer(data)));
        BinaryWebSocketFrame wire = ch.readOutbound();
        ch.writeInbound(wire);
        TunnelFrame back = ch.readInbound();
        assertThat(back.type()).isEqualTo(FrameType.DATA);
        assertThat(back.streamId()).isEqualTo(streamId);
        byte[] got = new byte[back.payload().readableBytes()];
        back.payload().readBytes(got);
        assertThat(got).isEqualTo(data);
        back.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void rejectsUnknownTypeFlagsVersionAndLengthsBeforeAllocating() {
        assertRejected(frame(1, 0x7F, 0, 0, 0, new byte[0]), "unknown frame type 0x7f");
        assertRejected(frame(1, 0x06, 0x8000, 1, 1, new byte[1]), "unknown flags");
        assertRejected(frame(2, 0x06, 0, 1, 1, new byte[1]), "version 2");
        assertRejected(frame(1, 0x06, 0, 1, 0xFFFFFFFFL, new byte[1]), "payload length 4294967295");
        assertRejected(frame(1, 0x06, 0, 1, 5, new byte[1]), "header says 5 payload bytes, message carries 1");
        assertRejected(frame(1, 0x06, 0, 0, 1, new byte[1]), "stream id 0");
        assertRejected(frame(1, 0x09, 0, 3, 8, new byte[8]), "PING: stream id 3 (expected: 0)");
        assertRejected(frame(1, 0x06, 0, 0x80000000L, 1, new byte[1]), "stream id 2147483648");
    }

    @Test
    void textAndFragmentedMessagesAreRejected() {
        EmbeddedChannel ch = new EmbeddedChannel(TunnelFrameCodec.INSTANCE);
        assertThatThrownBy(() -> ch.writeInbound(new TextWebSocketFrame("hi")))
                .isInstanceOf(DecoderException.class).hasMessageContaining("binary");
        assertThatThrownBy(() -> ch.writeInbound(new BinaryWebSocketFrame(false, 0, Unpooled.buffer(12).writeZero(12))))
                .isInstanceOf(DecoderException.class).hasMessageContaining("fragmented");
        ch.finishAndReleaseAll();
    }

    @Test
    void helloAndWelcomeRoundTripAndValidate() {
        Hello h = new Hello(1, "ipn_" + "a".repeat(48), "dev-1", "Kitchen Pi", "linux/amd64", "0.1.0", "DE", "BE", "berlin",
                3320, "Deutsche Telekom", "wifi", true);
        ByteBuf b = Payloads.encodeHello(ByteBufAllocator.DEFAULT, h);
        assertThat(Payloads.decodeHello(b)).isEqualTo(h);
        b.release();
        Welcome w = new Welcome(1, "2f1d…", 30_000);
        ByteBuf wb = Payloads.encodeWelcome(ByteBufAllocator.DEFAULT, w);
        assertThat(Payloads.decodeWelcome(wb)).isEqualTo(w);
        wb.release();
        ByteBuf bad = Unpooled.buffer().writeShort(1).writeByte(3).writeBytes(new byte[] {'a', 0x01, 'b'});
        assertThatThrownBy(() -> Payloads.decodeHello(bad)).hasMessageContaining("nodeKey: control character");
        ByteBuf badUtf8 = Unpooled.buffer().writeShort(1).writeByte(2).writeBytes(new byte[] {(byte) 0xC3, 0x28});
        assertThatThrownBy(() -> Payloads.decodeHello(badUtf8)).hasMessageContaining("malformed UTF-8");
        bad.release();
        badUtf8.release();
    }

    @Test
    void helloCarriesThePortPolicyOnlyWhenItIsNotAllPorts() {
        Hello old = new Hello(2, "ipn_" + "a".repeat(48), "dev-1", null, null, null, null, null, null, 0, null, null, false);
        ByteBuf b = Payloads.encodeHello(ByteBufAllocator.DEFAULT, old);
        // Without a policy the payload is the older layout exactly: it ends with the flags byte 0.
        assertThat(b.getByte(b.writerIndex() - 1)).isEqualTo((byte) 0);
        Hello decodedOld = Payloads.decodeHello(b);
        assertThat(decodedOld).isEqualTo(old);
        assertThat(decodedOld.allowedPorts()).isSameAs(PortPolicy.ALL);
        assertThat(decodedOld.allowedPorts().allows(22)).isTrue();
        b.release();

        Hello web = old.withAllowedPorts(PortPolicy.parse("443,80,8000-9000"));
        ByteBuf wb = Payloads.encodeHello(ByteBufAllocator.DEFAULT, web);
        Hello decoded = Payloads.decodeHello(wb);
        assertThat(decoded).isEqualTo(web);
        assertThat(decoded.allowedPorts().toString()).isEqualTo("80,443,8000-9000");
        assertThat(decoded.allowedPorts().allows(22)).isFalse();
        assertThat(decoded.allowedPorts().allows(8080)).isTrue();
        wb.release();

        Hello local = web.withAllowedPorts(PortPolicy.WEB);
        Hello localExit = new Hello(2, local.nodeKey(), local.deviceId(), null, null, null, null, null, null, 0, null, null,
                true, PortPolicy.WEB);
        ByteBuf lb = Payloads.encodeHello(ByteBufAllocator.DEFAULT, localExit);
        assertThat(Payloads.decodeHello(lb)).isEqualTo(localExit);
        lb.release();
    }

    @Test
    void helloRejectsMalformedPortPolicies() {
        Hello web = new Hello(2, "ipn_" + "a".repeat(48), "dev-1", null, null, null, null, null, null, 0, null, null, false,
                PortPolicy.WEB);
        ByteBuf ok = Payloads.encodeHello(ByteBufAllocator.DEFAULT, web);
        int flagsAt = ok.writerIndex() - 1 - 1 - 8;
        ByteBuf truncated = ok.copy(0, ok.writerIndex() - 2);
        assertThatThrownBy(() -> Payloads.decodeHello(truncated)).hasMessageContaining("truncated in port ranges");
        ByteBuf noRanges = ok.copy(0, flagsAt + 1).writeByte(0);
        assertThatThrownBy(() -> Payloads.decodeHello(noRanges)).hasMessageContaining("0 port ranges");
        ByteBuf descending = ok.copy(0, flagsAt + 1).writeByte(2).writeShort(443).writeShort(443).writeShort(80).writeShort(80);
        assertThatThrownBy(() -> Payloads.decodeHello(descending)).hasMessageContaining("port range 80-80");
        ByteBuf zero = ok.copy(0, flagsAt + 1).writeByte(1).writeShort(0).writeShort(80);
        assertThatThrownBy(() -> Payloads.decodeHello(zero)).hasMessageContaining("port range 0-80");
        ByteBuf unknownFlag = ok.copy(0, flagsAt).writeByte(4);
        assertThatThrownBy(() -> Payloads.decodeHello(unknownFlag)).hasMessageContaining("unknown flags 0x4");
        for (ByteBuf b : new ByteBuf[] {ok, truncated, noRanges, descending, zero, unknownFlag}) {
            b.release();
        }
    }

    @Test
    void openValidatesHostAndPort() {
        ByteBuf ok = Payloads.encodeOpen(ByteBufAllocator.DEFAULT, "example.com", 443);
        assertThat(Payloads.decodeOpen(ok)).isEqualTo(new Payloads.Open("example.com", 443));
        ok.release();
        ByteBuf space = Unpooled.buffer().writeShort(80).writeByte(3).writeBytes("a b".getBytes());
        assertThatThrownBy(() -> Payloads.decodeOpen(space)).hasMessageContaining("0x20");
        ByteBuf port0 = Unpooled.buffer().writeShort(0).writeByte(1).writeByte('a');
        assertThatThrownBy(() -> Payloads.decodeOpen(port0)).hasMessageContaining("port 0");
        ByteBuf lie = Unpooled.buffer().writeShort(80).writeByte(9).writeByte('a');
        assertThatThrownBy(() -> Payloads.decodeOpen(lie)).hasMessageContaining("host length 9");
        ByteBuf fail = Payloads.encodeOpenFail(ByteBufAllocator.DEFAULT, OpenFailure.FORBIDDEN, "no");
        assertThat(Payloads.decodeOpenFail(fail)).isEqualTo(new Payloads.OpenFail(OpenFailure.FORBIDDEN, "no"));
        for (ByteBuf b : new ByteBuf[] {space, port0, lie, fail}) {
            b.release();
        }
    }
}
