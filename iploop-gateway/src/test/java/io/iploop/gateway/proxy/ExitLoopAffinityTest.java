package io.iploop.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.tunnel.ByteStream;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ExitLoopAffinity} on real NIO sockets: an accepted customer channel moves onto the loop of
 * its stream and still reads and writes there; a stream of another group leaves it in place; a
 * channel closed before the move is reported as failed, never relayed.
 */
class ExitLoopAffinityTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final EventLoopGroup other = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final CompletableFuture<Channel> accepted = new CompletableFuture<>();
    private final StringBuilder received = new StringBuilder();
    private final AtomicInteger inactive = new AtomicInteger();
    private @Nullable Channel server;
    private @Nullable Socket client;

    @AfterEach
    void close() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close().sync();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        other.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private Channel connect() throws Exception {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                inactive.incrementAndGet();
                                ctx.fireChannelInactive();
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ByteBuf b = (ByteBuf) msg;
                                synchronized (received) {
                                    received.append(ctx.channel().eventLoop().inEventLoop() ? "" : "OFF-LOOP ");
                                    received.append(b.toString(StandardCharsets.US_ASCII));
                                }
                                b.release();
                            }
                        });
                        accepted.complete(ch);
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        client = new Socket();
        client.connect(server.localAddress(), 5000);
        client.setSoTimeout(5000);
        return accepted.get(5, TimeUnit.SECONDS);
    }

    @Test
    void movesTheChannelOntoTheStreamsLoopAndKeepsCarryingBytes() throws Exception {
        Channel ch = connect();
        EventLoop start = ch.eventLoop();
        EventLoop to = otherLoopThan(start);
        CompletableFuture<EventLoop> ranOn = new CompletableFuture<>();
        start.execute(() -> ExitLoopAffinity.moveToStreamLoop(ch, new LoopStream(to), () -> {
            ranOn.complete(ch.eventLoop().inEventLoop() ? ch.eventLoop() : null);
        }, ranOn::completeExceptionally));

        assertThat(ranOn.get(5, TimeUnit.SECONDS)).isSameAs(to);
        assertThat(ch.eventLoop()).isSameAs(to);
        assertThat(ch.isActive()).isTrue();

        OutputStream out = client.getOutputStream();
        out.write("ping".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ch.read();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            synchronized (received) {
                if (received.length() >= 4) {
                    break;
                }
            }
            Thread.sleep(10);
        }
        synchronized (received) {
            assertThat(received.toString()).isEqualTo("ping");
        }
        ch.writeAndFlush(Unpooled.copiedBuffer("pong", StandardCharsets.US_ASCII)).sync();
        InputStream in = client.getInputStream();
        assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("pong");
    }

    @Test
    void staysOnItsLoopWhenTheStreamRunsInAnotherGroup() throws Exception {
        Channel ch = connect();
        EventLoop start = ch.eventLoop();
        AtomicReference<EventLoop> ranOn = new AtomicReference<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        start.execute(() -> ExitLoopAffinity.moveToStreamLoop(ch, new LoopStream(other.next()), () -> {
            ranOn.set(ch.eventLoop());
            done.complete(null);
        }, done::completeExceptionally));
        done.get(5, TimeUnit.SECONDS);
        assertThat(ranOn.get()).isSameAs(start);
        assertThat(ch.eventLoop()).isSameAs(start);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aChannelClosedAroundTheMoveIsReportedAsFailedAndInactiveOnce(boolean closeAfterTheCall) throws Exception {
        Channel ch = connect();
        EventLoop start = ch.eventLoop();
        EventLoop to = otherLoopThan(start);
        CompletableFuture<String> outcome = new CompletableFuture<>();
        start.execute(() -> {
            if (!closeAfterTheCall) {
                ch.close();
            }
            ExitLoopAffinity.moveToStreamLoop(ch, new LoopStream(to), () -> outcome.complete("relayed"),
                    cause -> outcome.complete("failed"));
            if (closeAfterTheCall) {
                ch.close();
            }
        });
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo("failed");
        assertThat(ch.isOpen()).isFalse();
        ch.closeFuture().sync();
        CompletableFuture<Integer> count = new CompletableFuture<>();
        start.execute(() -> ch.eventLoop().execute(() -> count.complete(inactive.get())));
        assertThat(count.get(5, TimeUnit.SECONDS)).isEqualTo(1);
    }

    private EventLoop otherLoopThan(EventLoop loop) {
        for (EventExecutor e : group) {
            if (e != loop) {
                return (EventLoop) e;
            }
        }
        throw new AssertionError("one loop only");
    }

    /** A stream whose callbacks run on {@code loop}; it carries nothing. */
    private record LoopStream(EventLoop loop) implements ExitStream {
        @Override
        public ExitInfo exit() {
            return new ExitInfo(null, null, null, 0, null);
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void write(ByteBuf data) {
            data.release();
        }

        @Override
        public void ack(int bytes) {}

        @Override
        public void setHandler(ByteStream.Handler handler) {}

        @Override
        public void close() {}

        @Override
        public void shutdownOutput() {}

        @Override
        public void abort(String reason) {}

        @Override
        public boolean isOpen() {
            return true;
        }
    }
}
