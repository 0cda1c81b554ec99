package io.iploop.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.tunnel.frame.FrameType;
import io.iploop.tunnel.Payloads;
import io.iploop.tunnel.frame.TunnelFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway side of a session in an {@link EmbeddedChannel}, fed frames as an agent would send
 * them: FIN in both directions (docs/protocol.md §4.6), its ordering after DATA, protocol errors
 * for DATA after FIN, flow control of a half-closed stream, and the version 1 fallback to CLOSE.
 */
class TunnelStreamHalfCloseTest {

    private static final int ID = 1;

    private EmbeddedChannel channel;
    private TunnelSession session;
    private final List<String> events = new ArrayList<>();
    private final List<ByteBuf> received = new ArrayList<>();

    @AfterEach
    void release() {
        received.forEach(ByteBuf::release);
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    /** Admits an agent at {@code version} and opens stream 1; the outbound queue is drained. */
    private TunnelStream open(int version) {
        session = TunnelSession.gatewaySide(TunnelSettings.DEFAULTS, new TunnelSession.GatewayListener() {
            @Override
            public void onHello(TunnelSession s, Hello hello) {
                s.welcome(new Welcome(version, "node-1", 30_000));
            }

            @Override
            public void onClosed(TunnelSession s) {}
        });
        channel = new EmbeddedChannel(session.handler());
        channel.pipeline().fireUserEventTriggered(
                new WebSocketServerProtocolHandler.HandshakeComplete("/ws", EmptyHttpHeaders.INSTANCE, null));
        Hello hello = new Hello(version, "ipn_" + "a".repeat(48), "dev-1", null, null, null, null, null, null, 0, null, null, false);
        inbound(FrameType.HELLO, 0, Payloads.encodeHello(ByteBufAllocator.DEFAULT, hello));
        CompletableFuture<ByteStream> opened = session.openStream("example.com", 443);
        channel.runPendingTasks();
        assertThat(outboundTypes()).contains(FrameType.WELCOME, FrameType.OPEN);
        inbound(FrameType.OPEN_OK, ID, Unpooled.EMPTY_BUFFER);
        TunnelStream stream = (TunnelStream) opened.getNow(null);
        assertThat(stream).isNotNull();
        return stream;
    }

    private void setHandler(ByteStream stream, boolean ack) {
        stream.setHandler(new ByteStream.Handler() {
            @Override
            public void onData(ByteStream s, ByteBuf data) {
                events.add("data:" + data.readableBytes());
                if (ack) {
                    s.ack(data.readableBytes());
                }
                received.add(data);
            }

            @Override
            public void onWritabilityChanged(ByteStream s) {}

            @Override
            public void onInputShutdown(ByteStream s) {
                events.add("fin");
            }

            @Override
            public void onClosed(ByteStream s, @Nullable String error) {
                events.add("closed:" + error);
            }
        });
        channel.runPendingTasks();
    }

    private void inbound(FrameType type, int id, ByteBuf payload) {
        channel.writeInbound(new TunnelFrame(type, id, payload));
        channel.runPendingTasks();
    }

    private static ByteBuf bytes(int n) {
        return Unpooled.wrappedBuffer(new byte[n]);
    }

    /** The outbound frames' types, releasing them; non-frames appear as null. */
    private List<@Nullable FrameType> outboundTypes() {
        List<@Nullable FrameType> types = new ArrayList<>();
        for (Object o : outbound()) {
            types.add(o instanceof TunnelFrame f ? f.type() : null);
            ReferenceCountUtil.release(o);
        }
        return types;
    }

    /** Everything written since the last call; the caller owns (and releases) it. */
    private List<Object> outbound() {
        channel.runPendingTasks();
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = channel.readOutbound()) != null) {
            out.add(o);
        }
        return out;
    }

    @Test
    void finTravelsAfterTheDataWrittenBeforeItAndBothFinsCloseWithoutClose() {
        TunnelStream stream = open(2);
        setHandler(stream, true);
        stream.write(Unpooled.copiedBuffer("request", StandardCharsets.US_ASCII));
        stream.shutdownOutput();
        stream.write(Unpooled.copiedBuffer("ignored", StandardCharsets.US_ASCII));
        assertThat(outboundTypes()).containsExactly(FrameType.DATA, FrameType.FIN);
        assertThat(stream.isWritable()).as("no writes after our FIN").isFalse();
        assertThat(stream.isOpen()).as("the other direction still flows").isTrue();

        inbound(FrameType.DATA, ID, bytes(1000));
        inbound(FrameType.FIN, ID, Unpooled.EMPTY_BUFFER);
        assertThat(events).containsExactly("data:1000", "fin", "closed:null");
        assertThat(outboundTypes()).as("both ends known: no CLOSE").doesNotContain(FrameType.CLOSE);
        assertThat(session.activeStreams()).isZero();
    }

    @Test
    void peerFinLetsThisSideKeepWritingUntilItsOwnFin() {
        TunnelStream stream = open(2);
        setHandler(stream, true);
        inbound(FrameType.DATA, ID, bytes(10));
        inbound(FrameType.FIN, ID, Unpooled.EMPTY_BUFFER);
        assertThat(events).containsExactly("data:10", "fin");
        assertThat(stream.isWritable()).isTrue();

        // Beyond the initial window: the rest waits for credit, which a half-closed peer still grants.
        stream.write(bytes(TunnelProtocol.INITIAL_WINDOW + 5000));
        stream.shutdownOutput();
        List<@Nullable FrameType> first = outboundTypes();
        assertThat(first).doesNotContain(FrameType.FIN);
        assertThat(first).filteredOn(t -> t == FrameType.DATA).hasSize(4); // 4 x 64 KiB
        inbound(FrameType.WINDOW, ID, Payloads.encodeInt(ByteBufAllocator.DEFAULT, 5000));
        assertThat(outboundTypes()).containsExactly(FrameType.DATA, FrameType.FIN);
        assertThat(events).endsWith("closed:null");
    }

    @Test
    void creditIsStillGrantedAfterOurFinAndNotAfterThePeers() {
        TunnelStream stream = open(2);
        setHandler(stream, true);
        stream.shutdownOutput();
        assertThat(outboundTypes()).containsExactly(FrameType.FIN);
        inbound(FrameType.DATA, ID, bytes(TunnelProtocol.INITIAL_WINDOW / 2));
        assertThat(outboundTypes()).as("credit for what we received after our FIN").containsExactly(FrameType.WINDOW);
        // The peer may now send a whole window more; beyond it is still a violation.
        inbound(FrameType.DATA, ID, bytes(TunnelProtocol.INITIAL_WINDOW));
        assertThat(channel.isActive()).isTrue();
        assertThat(outboundTypes()).containsExactly(FrameType.WINDOW);
        inbound(FrameType.FIN, ID, Unpooled.EMPTY_BUFFER);
        assertThat(events).endsWith("fin", "closed:null");
    }

    @Test
    void dataAfterFinIsAProtocolError() {
        TunnelStream stream = open(2);
        setHandler(stream, true);
        inbound(FrameType.FIN, ID, Unpooled.EMPTY_BUFFER);
        inbound(FrameType.DATA, ID, bytes(1));
        assertThat(outbound()).anySatisfy(o -> assertThat(o).isInstanceOfSatisfying(CloseWebSocketFrame.class,
                c -> assertThat(c.statusCode()).isEqualTo(TunnelProtocol.CLOSE_CODE_PROTOCOL_ERROR)));
    }

    @Test
    void secondFinIsAProtocolError() {
        TunnelStream stream = open(2);
        setHandler(stream, true);
        inbound(FrameType.FIN, ID, Unpooled.EMPTY_BUFFER);
        inbound(FrameType.FIN, ID, Unpooled.EMPTY_BUFFER);
        assertThat(outbound()).anySatisfy(o -> assertThat(o).isInstanceOf(CloseWebSocketFrame.class));
    }

    @Test
    void finArrivingBeforeTheHandlerIsDeliveredAfterTheData() {
        TunnelStream stream = open(2);
        inbound(FrameType.DATA, ID, bytes(7));
        inbound(FrameType.DATA, ID, bytes(8));
        inbound(FrameType.FIN, ID, Unpooled.EMPTY_BUFFER);
        setHandler(stream, true);
        assertThat(events).containsExactly("data:7", "data:8", "fin");
    }

    @Test
    void versionOneAgentGetsCloseInsteadOfFinAndMustNotSendFin() {
        TunnelStream stream = open(1);
        assertThat(session.halfCloseNegotiated()).isFalse();
        setHandler(stream, true);
        stream.shutdownOutput();
        List<Object> out = outbound();
        assertThat(out).hasSize(1);
        TunnelFrame close = (TunnelFrame) out.get(0);
        assertThat(close.type()).isEqualTo(FrameType.CLOSE);
        assertThat(Payloads.decodeClose(close.payload()).error()).as("graceful").isNull();
        close.release();
        assertThat(events).containsExactly("closed:null");
    }

    @Test
    void finFromAVersionOneAgentIsAProtocolError() {
        TunnelStream stream = open(1);
        setHandler(stream, true);
        inbound(FrameType.FIN, ID, Unpooled.EMPTY_BUFFER);
        assertThat(outbound()).anySatisfy(o -> assertThat(o).isInstanceOf(CloseWebSocketFrame.class));
    }
}
