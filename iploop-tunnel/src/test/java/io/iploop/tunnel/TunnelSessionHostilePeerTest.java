package io.iploop.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.tunnel.frame.FrameType;
import io.iploop.tunnel.Payloads;
import io.iploop.tunnel.frame.TunnelFrame;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway side of a {@link TunnelSession} against a hostile agent, on an
 * {@link EmbeddedChannel} (frames in, frames out): nothing but HELLO is read before admission,
 * a WINDOW beyond the protocol's maximum window is a protocol error, and the session stops
 * reading from a peer whose connection is not writable (docs/protocol.md §3, §5).
 */
class TunnelSessionHostilePeerTest {

    private static final Hello HELLO = new Hello(TunnelProtocol.VERSION, "ipn_" + "0".repeat(48), "device-1",
            null, null, null, null, null, null, 0, null, null, false);

    private final List<Object> written = new ArrayList<>();
    private EmbeddedChannel channel;
    private TunnelSession session;

    /** A session whose listener admits every HELLO when {@code admit} is true (else never answers). */
    private void start(boolean admit) {
        session = TunnelSession.gatewaySide(TunnelSettings.DEFAULTS, new TunnelSession.GatewayListener() {
            @Override
            public void onHello(TunnelSession s, Hello hello) {
                if (admit) {
                    s.welcome(new Welcome(TunnelProtocol.VERSION, "node-1", 30_000));
                }
            }

            @Override
            public void onClosed(TunnelSession s) {}
        });
        channel = new EmbeddedChannel(session.handler());
        channel.pipeline().fireUserEventTriggered(
                new WebSocketServerProtocolHandler.HandshakeComplete("/ws", new DefaultHttpHeaders(), null));
        drain();
    }

    @AfterEach
    void stop() {
        channel.finishAndReleaseAll();
        written.forEach(ReferenceCountUtil::release);
    }

    private void send(FrameType type, int stream, byte[] payload) {
        channel.writeInbound(new TunnelFrame(type, stream, Unpooled.wrappedBuffer(payload)));
        channel.runPendingTasks();
        drain();
    }

    private void send(TunnelFrame frame) {
        channel.writeInbound(frame);
        channel.runPendingTasks();
        drain();
    }

    private void drain() {
        for (Object o; (o = channel.readOutbound()) != null; ) {
            written.add(o);
        }
    }

    private List<FrameType> writtenTypes() {
        return written.stream().filter(TunnelFrame.class::isInstance).map(o -> ((TunnelFrame) o).type()).toList();
    }

    private int closeCode() {
        return written.stream().filter(CloseWebSocketFrame.class::isInstance).mapToInt(o -> ((CloseWebSocketFrame) o).statusCode())
                .findFirst().orElse(-1);
    }

    @Test
    void aPingBeforeHelloIsAProtocolErrorAndGetsNoPong() {
        start(true);
        send(FrameType.PING, 0, new byte[8]);
        assertThat(writtenTypes()).as("nothing but a close before admission").isEmpty();
        assertThat(closeCode()).isEqualTo(TunnelProtocol.CLOSE_CODE_PROTOCOL_ERROR);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aPingWhileTheHelloIsBeingCheckedIsAProtocolError() {
        start(false);
        send(new TunnelFrame(FrameType.HELLO, 0, Payloads.encodeHello(ByteBufAllocator.DEFAULT, HELLO)));
        send(FrameType.PING, 0, new byte[8]);
        assertThat(writtenTypes()).isEmpty();
        assertThat(closeCode()).isEqualTo(TunnelProtocol.CLOSE_CODE_PROTOCOL_ERROR);
    }

    @Test
    void aWindowBeyondTheProtocolMaximumIsAProtocolError() {
        start(true);
        send(new TunnelFrame(FrameType.HELLO, 0, Payloads.encodeHello(ByteBufAllocator.DEFAULT, HELLO)));
        assertThat(writtenTypes()).contains(FrameType.WELCOME);
        CompletableFuture<ByteStream> open = session.openStream("example.com", 443);
        channel.runPendingTasks();
        send(FrameType.OPEN_OK, 1, new byte[0]);
        assertThat(open).isCompleted();
        // The initial window plus this grant exceeds the maximum a peer may ever grant.
        send(FrameType.WINDOW, 1, new byte[] {(byte) 0x04, 0, 0, 0});
        assertThat(closeCode()).isEqualTo(TunnelProtocol.CLOSE_CODE_PROTOCOL_ERROR);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aWindowWithinTheMaximumIsAccepted() {
        start(true);
        send(new TunnelFrame(FrameType.HELLO, 0, Payloads.encodeHello(ByteBufAllocator.DEFAULT, HELLO)));
        session.openStream("example.com", 443);
        channel.runPendingTasks();
        send(FrameType.OPEN_OK, 1, new byte[0]);
        send(FrameType.WINDOW, 1, new byte[] {0, (byte) 0x40, 0, 0}); // 4 MiB
        assertThat(channel.isOpen()).isTrue();
        assertThat(closeCode()).isEqualTo(-1);
    }

    @Test
    void readingStopsWhileThePeerLeavesOurWritesUnreadAndResumesWhenItCatchesUp() {
        start(true);
        send(new TunnelFrame(FrameType.HELLO, 0, Payloads.encodeHello(ByteBufAllocator.DEFAULT, HELLO)));
        assertThat(channel.config().isAutoRead()).isTrue();
        // The peer stopped reading: our connection is over its high-water mark.
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        channel.runPendingTasks();
        assertThat(channel.isWritable()).isFalse();
        send(FrameType.PING, 0, new byte[8]);
        channel.pipeline().fireChannelReadComplete();
        assertThat(channel.config().isAutoRead()).as("no more reads for a peer that does not read").isFalse();

        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        channel.runPendingTasks();
        assertThat(channel.config().isAutoRead()).as("reading resumes once it caught up").isTrue();
    }
}
