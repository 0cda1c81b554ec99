package io.iploop.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.iploop.tunnel.frame.FrameType;
import io.iploop.tunnel.frame.TunnelFrame;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.ChannelPromise;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tunnel over an in-process connection (docs/protocol.md#in-process-transport): a gateway-side
 * and a node-side session on the two ends of a {@code LocalChannel} pair sharing one event loop,
 * where every write reaches the peer's pipeline inside the write call. The handshake must finish at
 * once (not when some later flush happens to push a stranded HELLO out), and a transfer larger than
 * the stream window must come back byte for byte while credit flows the same way.
 */
class InProcessTunnelIT {

    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;
    private Channel hub;
    private @Nullable Channel node;
    private final CompletableFuture<TunnelSession> gatewaySession = new CompletableFuture<>();
    private final CompletableFuture<Welcome> welcomed = new CompletableFuture<>();
    private final CompletableFuture<String> nodeClosed = new CompletableFuture<>();
    /** Set by a test before the node connects: the gateway refuses the HELLO with this message. */
    private volatile @Nullable String refusal;
    /** What crossed the node's end of the connection, in either direction, after the handshake response. */
    private final List<String> crossed = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        loop = group.next();
        hub = new ServerBootstrap().group(loop, loop).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        TunnelPipeline.server(ch.pipeline(), TunnelSession.gatewaySide(TunnelSettings.DEFAULTS,
                                new TunnelSession.GatewayListener() {
                                    @Override
                                    public void onHello(TunnelSession session, Hello hello) {
                                        String r = refusal;
                                        if (r != null) {
                                            session.refuse(r);
                                            return;
                                        }
                                        session.welcome(new Welcome(TunnelProtocol.VERSION, "node-1", 30_000));
                                        gatewaySession.complete(session);
                                    }

                                    @Override
                                    public void onClosed(TunnelSession session) {}
                                }));
                    }
                }).bind(new LocalAddress("in-process-tunnel-it")).sync().channel();
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close().sync();
        }
        hub.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        System.clearProperty(InProcessTunnel.OBJECT_FRAMES_PROPERTY);
    }

    /** A node whose every stream echoes what it receives. */
    private void connectEchoNode() throws Exception {
        Hello hello = new Hello(TunnelProtocol.VERSION, "k", "device-1", "test", "linux", "0.1", "DE", null, "berlin",
                3320, null, "wifi", true);
        StreamAcceptor echo = (stream, host, port, reply) -> {
            stream.setHandler(new ByteStream.Handler() {
                @Override
                public void onData(ByteStream s, ByteBuf data) {
                    int n = data.readableBytes();
                    s.write(data);
                    s.ack(n);
                }

                @Override
                public void onWritabilityChanged(ByteStream s) {}

                @Override
                public void onClosed(ByteStream s, @Nullable String error) {}
            });
            reply.accept();
        };
        TunnelSession session = TunnelSession.nodeSide(TunnelSettings.DEFAULTS, hello, echo, new TunnelSession.NodeListener() {
            @Override
            public void onWelcome(TunnelSession s, Welcome w) {
                welcomed.complete(w);
            }

            @Override
            public void onDrain(TunnelSession s, int deadlineMillis) {}

            @Override
            public void onClosed(TunnelSession s, String reason) {
                nodeClosed.complete(reason);
            }
        });
        node = new Bootstrap().group(loop).channel(LocalChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        TunnelPipeline.client(ch.pipeline(), URI.create("ws://127.0.0.1:1/ws"), null, session);
                        ch.pipeline().addFirst("probe", new Probe());
                    }
                }).connect(hub.localAddress()).sync().channel();
    }

    /**
     * First handler of the node's pipeline: records the kind of every message read or written after
     * the handshake response was read (a DATA frame as its payload size, so the test can add them up).
     */
    private final class Probe extends ChannelDuplexHandler {
        private boolean handshakeRead;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            record(msg);
            handshakeRead = true;
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            record(msg);
            ctx.write(msg, promise);
        }

        private void record(Object msg) {
            if (handshakeRead) {
                crossed.add(msg instanceof TunnelFrame f
                        ? f.type() + (f.type() == FrameType.DATA ? ":" + f.payload().readableBytes() : "")
                        : "encoded " + msg.getClass().getSimpleName());
            }
        }
    }

    @Test
    void handshakeCompletesAtOnce() throws Exception {
        connectEchoNode();
        // The handshake and HELLO deadlines are 10 s: a HELLO left behind would surface only then.
        assertThat(welcomed.get(2, TimeUnit.SECONDS).nodeId()).isEqualTo("node-1");
    }

    /** Sends {@code size} random bytes through an echo stream and checks they come back byte for byte. */
    private void echo(int size) throws Exception {
        connectEchoNode();
        TunnelSession gw = gatewaySession.get(2, TimeUnit.SECONDS);
        ByteStream stream = gw.openStream("origin.test", 80).get(2, TimeUnit.SECONDS);
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        stream.setHandler(new ByteStream.Handler() {
            @Override
            public void onData(ByteStream s, ByteBuf data) {
                int n = data.readableBytes();
                byte[] b = new byte[n];
                data.readBytes(b);
                data.release();
                synchronized (received) {
                    received.writeBytes(b);
                }
                s.ack(n);
            }

            @Override
            public void onWritabilityChanged(ByteStream s) {}

            @Override
            public void onClosed(ByteStream s, @Nullable String error) {}
        });
        byte[] payload = new byte[size];
        new Random(11).nextBytes(payload);
        loop.execute(() -> {
            for (int off = 0; off < payload.length; off += 100_000) {
                stream.write(Unpooled.copiedBuffer(payload, off, Math.min(100_000, payload.length - off)));
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            synchronized (received) {
                return received.size() == payload.length;
            }
        });
        synchronized (received) {
            assertThat(received.toByteArray()).isEqualTo(payload);
        }
    }

    @Test
    void moreThanAWindowComesBackByteForByte() throws Exception {
        int size = 8 * 1024 * 1024;
        echo(size);
        // By default every message after the handshake crossed as a frame object, nothing as encoded
        // bytes (docs/protocol.md#in-process-transport), and the DATA frames carried the 8 MiB there and back.
        assertThat(crossed).isNotEmpty().noneMatch(m -> m.startsWith("encoded "));
        long dataBytes = crossed.stream().filter(t -> t.startsWith("DATA:"))
                .mapToLong(t -> Long.parseLong(t.substring(5))).sum();
        assertThat(dataBytes).isEqualTo(2L * size);
    }

    @Test
    void switchedOffFramesCrossEncodedAsOnASocket() throws Exception {
        System.setProperty(InProcessTunnel.OBJECT_FRAMES_PROPERTY, "false");
        echo(1024 * 1024);
        assertThat(crossed).isNotEmpty().allMatch(m -> m.startsWith("encoded "));
    }

    @Test
    void aRefusalStillCarriesItsReason() throws Exception {
        refusal = "device key revoked";
        connectEchoNode();
        // The refusal is a WebSocket close frame with the reason; it still goes through the codecs.
        assertThat(nodeClosed.get(2, TimeUnit.SECONDS)).contains("device key revoked");
        assertThat(welcomed).isNotDone();
    }
}
