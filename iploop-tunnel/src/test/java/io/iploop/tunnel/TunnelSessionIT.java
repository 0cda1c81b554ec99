package io.iploop.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real gateway-side and node-side session over a loopback WebSocket, with the node relaying to
 * a real local TCP server: bytes round-trip intact, flow control bounds what a slow consumer
 * buffers, and failures surface as the documented errors.
 */
class TunnelSessionIT {

    private EventLoopGroup group;
    private Channel gatewayServer;
    private Channel echoServer;
    private Channel sinkServer;
    private final CompletableFuture<TunnelSession> gatewaySession = new CompletableFuture<>();
    private final AtomicReference<@Nullable Welcome> welcomed = new AtomicReference<>();
    private final AtomicLong sinkReceived = new AtomicLong();
    private Channel nodeChannel;
    /** The gateway's settings for the next connection. */
    private volatile TunnelSettings gatewaySettings = TunnelSettings.DEFAULTS;
    /** How long the node waits before it starts connecting for an OPEN (a slow target), in ms. */
    private volatile long connectDelayMillis;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        echoServer = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.writeAndFlush(msg);
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        // A server that sends 64 MiB as fast as the connection allows, to test flow control.
        sinkServer = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        pump(ctx, 64 * 1024 * 1024L);
                    }

                    private void pump(ChannelHandlerContext ctx, long left) {
                        while (left > 0 && ctx.channel().isWritable()) {
                            int n = (int) Math.min(left, 64 * 1024);
                            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[n]));
                            left -= n;
                        }
                        long rest = left;
                        if (rest > 0) {
                            ctx.channel().eventLoop().schedule(() -> pump(ctx, rest), 1, TimeUnit.MILLISECONDS);
                        } else {
                            ctx.close();
                        }
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        gatewayServer = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TunnelSession s = TunnelSession.gatewaySide(gatewaySettings, new TunnelSession.GatewayListener() {
                            @Override
                            public void onHello(TunnelSession session, Hello hello) {
                                if (hello.nodeKey().equals("good") || hello.nodeKey().equals("fast")) {
                                    // "fast": the gateway asks for a 1 s idle heartbeat (the least WELCOME allows).
                                    session.welcome(new Welcome(1, "node-1", hello.nodeKey().equals("fast") ? 1_000 : 30_000));
                                    gatewaySession.complete(session);
                                } else {
                                    session.refuse("unknown node key");
                                }
                            }

                            @Override
                            public void onClosed(TunnelSession session) {}
                        });
                        TunnelPipeline.server(ch.pipeline(), s);
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stop() throws Exception {
        if (nodeChannel != null) {
            nodeChannel.close().sync();
        }
        gatewayServer.close().sync();
        echoServer.close().sync();
        sinkServer.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private CompletableFuture<String> connectNode(String key) throws Exception {
        CompletableFuture<String> closedReason = new CompletableFuture<>();
        int port = ((InetSocketAddress) gatewayServer.localAddress()).getPort();
        Hello hello = new Hello(1, key, "device-1", "test", "linux", "0.1", "DE", null, "berlin", 3320, null, "wifi", false);
        StreamAcceptor acceptor = (stream, host, p, reply) -> group.schedule(() -> new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(host, p).addListener(f -> {
                    if (f.isSuccess()) {
                        reply.accept();
                        ByteStreamRelay.relay(((io.netty.channel.ChannelFuture) f).channel(), stream, null);
                    } else {
                        reply.reject(OpenFailure.CONNECTION_REFUSED, f.cause().getMessage());
                    }
                }), connectDelayMillis, TimeUnit.MILLISECONDS);
        TunnelSession session = TunnelSession.nodeSide(TunnelSettings.DEFAULTS, hello, acceptor, new TunnelSession.NodeListener() {
            @Override
            public void onWelcome(TunnelSession s, Welcome w) {
                welcomed.set(w);
            }

            @Override
            public void onDrain(TunnelSession s, int deadlineMillis) {}

            @Override
            public void onClosed(TunnelSession s, String reason) {
                closedReason.complete(reason);
            }
        });
        nodeChannel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        TunnelPipeline.client(ch.pipeline(), URI.create("ws://127.0.0.1:" + port + "/ws"), null, session);
                    }
                }).connect("127.0.0.1", port).sync().channel();
        return closedReason;
    }

    /** Collects what a stream delivers, acknowledging it at once (a fast consumer). */
    private static final class Collector implements ByteStream.Handler {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<@Nullable String> closed = new CompletableFuture<>();

        @Override
        public synchronized void onData(ByteStream stream, ByteBuf data) {
            int n = data.readableBytes();
            byte[] b = new byte[n];
            data.readBytes(b);
            data.release();
            bytes.writeBytes(b);
            stream.ack(n);
        }

        @Override
        public void onWritabilityChanged(ByteStream stream) {}

        @Override
        public void onClosed(ByteStream stream, @Nullable String error) {
            closed.complete(error);
        }

        synchronized int size() {
            return bytes.size();
        }
    }

    @Test
    void bytesRoundTripThroughNodeToARealServer() throws Exception {
        connectNode("good");
        TunnelSession gw = gatewaySession.get(5, TimeUnit.SECONDS);
        await().until(() -> welcomed.get() != null);
        int echoPort = ((InetSocketAddress) echoServer.localAddress()).getPort();
        ByteStream stream = gw.openStream("127.0.0.1", echoPort).get(5, TimeUnit.SECONDS);
        Collector c = new Collector();
        stream.setHandler(c);
        byte[] payload = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(payload);
        // More than the initial window: only works if credit flows back.
        for (int off = 0; off < payload.length; off += 100_000) {
            int n = Math.min(100_000, payload.length - off);
            stream.write(Unpooled.copiedBuffer(payload, off, n));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> c.size() == payload.length);
        synchronized (c) {
            assertThat(c.bytes.toByteArray()).isEqualTo(payload);
        }
        assertThat(gw.activeStreams()).isEqualTo(1);
        stream.close();
        await().until(() -> gw.activeStreams() == 0);
        assertThat(gw.rttNanos()).isPositive();
    }

    /**
     * Acknowledgements from a thread that is not the stream's loop are batched (one task per
     * WINDOW's worth, TunnelStream.ack): many tiny ones, in an order unrelated to the loop, must
     * still add up to every credit the sender needs, or the transfer stalls at one window.
     */
    @Test
    void tinyAcknowledgementsFromAnotherThreadKeepCreditFlowing() throws Exception {
        connectNode("good");
        TunnelSession gw = gatewaySession.get(5, TimeUnit.SECONDS);
        int echoPort = ((InetSocketAddress) echoServer.localAddress()).getPort();
        ByteStream stream = gw.openStream("127.0.0.1", echoPort).get(5, TimeUnit.SECONDS);
        java.util.concurrent.ExecutorService acker = java.util.concurrent.Executors.newFixedThreadPool(2);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        stream.setHandler(new ByteStream.Handler() {
            @Override
            public void onData(ByteStream s, ByteBuf data) {
                int n = data.readableBytes();
                byte[] b = new byte[n];
                data.readBytes(b);
                data.release();
                synchronized (got) {
                    got.writeBytes(b);
                }
                // 100-byte acknowledgements from two other threads: far below any batch size.
                for (int left = n; left > 0; left -= 100) {
                    int k = Math.min(100, left);
                    acker.execute(() -> s.ack(k));
                }
            }

            @Override
            public void onWritabilityChanged(ByteStream s) {}

            @Override
            public void onClosed(ByteStream s, @Nullable String error) {}
        });
        byte[] payload = new byte[8 * TunnelProtocol.INITIAL_WINDOW + 12_345];
        new Random(11).nextBytes(payload);
        try {
            for (int off = 0; off < payload.length; off += 1024) {
                stream.write(Unpooled.copiedBuffer(payload, off, Math.min(1024, payload.length - off)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                synchronized (got) {
                    return got.size() == payload.length;
                }
            });
            synchronized (got) {
                assertThat(got.toByteArray()).isEqualTo(payload);
            }
        } finally {
            acker.shutdownNow();
            stream.close();
        }
    }

    @Test
    void slowConsumerBoundsWhatIsInFlight() throws Exception {
        connectNode("good");
        TunnelSession gw = gatewaySession.get(5, TimeUnit.SECONDS);
        int sinkPort = ((InetSocketAddress) sinkServer.localAddress()).getPort();
        ByteStream stream = gw.openStream("127.0.0.1", sinkPort).get(5, TimeUnit.SECONDS);
        AtomicLong received = new AtomicLong();
        AtomicLong acked = new AtomicLong();
        stream.setHandler(new ByteStream.Handler() {
            @Override
            public void onData(ByteStream s, ByteBuf data) {
                received.addAndGet(data.readableBytes());
                data.release();
            }

            @Override
            public void onWritabilityChanged(ByteStream s) {}

            @Override
            public void onClosed(ByteStream s, @Nullable String error) {}
        });
        // Nothing acknowledged: the node may send exactly one initial window, never more.
        await().atMost(Duration.ofSeconds(5)).until(() -> received.get() == TunnelProtocol.INITIAL_WINDOW);
        Thread.sleep(300);
        assertThat(received.get()).isEqualTo(TunnelProtocol.INITIAL_WINDOW);
        // Acknowledge slowly. Whether the window grows depends on the measured RTT (a consumer
        // that keeps up with one window per RTT counts as bandwidth-bound), but at any RTT the
        // node never has more than the largest window in flight, while the sink would push 64 MiB.
        for (int i = 0; i < 10; i++) {
            long toAck = received.get() - acked.get();
            acked.addAndGet(toAck);
            stream.ack((int) toAck);
            Thread.sleep(50);
            assertThat(received.get() - acked.get()).isLessThanOrEqualTo(TunnelSettings.DEFAULTS.maxWindowBytes());
        }
        assertThat(received.get()).isLessThan(64L * 1024 * 1024);
        stream.abort("test done");
        await().until(() -> gw.activeStreams() == 0);
        sinkReceived.set(received.get());
    }

    @Test
    void openToAClosedPortFailsWithConnectionRefused() throws Exception {
        connectNode("good");
        TunnelSession gw = gatewaySession.get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> gw.openStream("127.0.0.1", 1).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(OpenFailedException.class)
                .extracting(e -> ((OpenFailedException) e).failure()).isEqualTo(OpenFailure.CONNECTION_REFUSED);
        assertThat(gw.activeStreams()).isZero();
    }

    @Test
    void aLiveNodeThatAnswersAnOpenLateIsNotSuspect() throws Exception {
        connectNode("good");
        TunnelSession gw = gatewaySession.get(5, TimeUnit.SECONDS);
        connectDelayMillis = TunnelSettings.DEFAULTS.openDeadlineMillis() + 1_500;
        long start = System.nanoTime();
        ByteStream s = gw.openStream("127.0.0.1", ((InetSocketAddress) echoServer.localAddress()).getPort()).get(15, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(TunnelSettings.DEFAULTS.openDeadlineMillis()));
        assertThat(gw.isSuspect()).as("it answered PINGs meanwhile").isFalse();
        s.close();
    }

    @Test
    void aNodeThatStopsReadingIsSuspectAfterTheOpenDeadlineThenClosed() throws Exception {
        connectNode("good");
        TunnelSession gw = gatewaySession.get(5, TimeUnit.SECONDS);
        // Frozen: reads nothing, answers nothing. Set on the node's event loop and waited for: from
        // another thread the read interest is only cleared by a queued task, and a loop that is slow
        // to get to it (a loaded machine) still reads the OPEN once and answers.
        nodeChannel.eventLoop().submit(() -> nodeChannel.config().setAutoRead(false)).sync();
        long start = System.nanoTime();
        assertThatThrownBy(() -> gw.openStream("127.0.0.1", ((InetSocketAddress) echoServer.localAddress()).getPort())
                .get(15, TimeUnit.SECONDS))
                .hasCauseInstanceOf(OpenFailedException.class)
                .satisfies(e -> assertThat(((OpenFailedException) e.getCause()).failure()).isEqualTo(OpenFailure.UNAVAILABLE))
                .hasMessageContaining("did not answer within " + TunnelSettings.DEFAULTS.openDeadlineMillis() + " ms");
        assertThat(gw.isSuspect()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !gw.channel().isActive());
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isLessThan(Duration.ofMillis(TunnelSettings.DEFAULTS.activeDeadPeerTimeoutMillis() + 2_000));
    }

    @Test
    void theNodeTakesTheIdleHeartbeatFromWelcome() throws Exception {
        // The gateway (10 s / 25 s itself) asks for 1 s, then stops reading: the node PINGs every
        // second, hears nothing, and gives up after 2.5 s (its own settings would wait 25 s).
        CompletableFuture<String> closed = connectNode("fast");
        TunnelSession gw = gatewaySession.get(5, TimeUnit.SECONDS);
        gw.channel().eventLoop().submit(() -> gw.channel().config().setAutoRead(false)).sync();
        long start = System.nanoTime();
        assertThat(closed.get(10, TimeUnit.SECONDS)).contains("peer silent");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(2_000), Duration.ofMillis(6_000));
    }

    @Test
    void anIdleNodeThatAnswersIsKeptPastEveryTimeout() throws Exception {
        // Both ends 1 s / 2.5 s: only PING and PONG flow, for well past both dead-peer timeouts.
        gatewaySettings = TunnelSettings.DEFAULTS.withHeartbeat(1_000, 2_500);
        CompletableFuture<String> closed = connectNode("fast");
        TunnelSession gw = gatewaySession.get(5, TimeUnit.SECONDS);
        Thread.sleep(6_000);
        assertThat(closed).isNotDone();
        assertThat(gw.channel().isActive()).isTrue();
    }

    @Test
    void aSilentIdleNodeIsClosedWithinTheGatewaysDeadPeerTimeout() throws Exception {
        gatewaySettings = TunnelSettings.DEFAULTS.withHeartbeat(1_000, 2_500);
        connectNode("good");
        TunnelSession gw = gatewaySession.get(5, TimeUnit.SECONDS);
        nodeChannel.eventLoop().submit(() -> nodeChannel.config().setAutoRead(false)).sync();
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> !gw.channel().isActive());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1_500), Duration.ofMillis(4_000));
    }

    @Test
    void refusedNodeLearnsWhy() throws Exception {
        CompletableFuture<String> reason = connectNode("bad");
        assertThat(reason.get(5, TimeUnit.SECONDS)).isEqualTo("unknown node key");
        assertThat(welcomed.get()).isNull();
    }

    @Test
    void nodeGoneFailsOpenStreams() throws Exception {
        connectNode("good");
        TunnelSession gw = gatewaySession.get(5, TimeUnit.SECONDS);
        int echoPort = ((InetSocketAddress) echoServer.localAddress()).getPort();
        ByteStream stream = gw.openStream("127.0.0.1", echoPort).get(5, TimeUnit.SECONDS);
        Collector c = new Collector();
        stream.setHandler(c);
        nodeChannel.close().sync();
        assertThat(c.closed.get(5, TimeUnit.SECONDS)).isNotNull();
        await().until(() -> gw.activeStreams() == 0);
        assertThatThrownBy(() -> gw.openStream("127.0.0.1", echoPort).get(5, TimeUnit.SECONDS))
                .cause().isInstanceOf(java.nio.channels.ClosedChannelException.class);
    }
}
