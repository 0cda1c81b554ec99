package io.iploop.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TunnelLoopAffinityTest {

    private static final int LOOPS = 4;
    private EventLoopGroup group;
    private final TunnelLoopAffinity affinity = new TunnelLoopAffinity();
    /** Accepted channel → the loop its initializer ran on. */
    private final ConcurrentHashMap<InetSocketAddress, EventLoop> initializedOn = new ConcurrentHashMap<>();
    private Channel server;

    @BeforeEach
    void start() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(LOOPS, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(affinity.placing(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initializedOn.put(ch.remoteAddress(), ch.eventLoop());
                        ch.pipeline().addLast(new Echo());
                    }
                }))
                .bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void aRegisteredConnectionIsServedOnTheConnectingChannelsLoopFromItsFirstByte() throws Exception {
        // Round-robin accepting would co-locate all eight by chance with probability (1/4)^8.
        List<Channel> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Channel c = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new Collect())
                    .register().sync().channel();
            c.bind(new InetSocketAddress("127.0.0.1", 0)).sync();
            affinity.register(c);
            c.connect(server.localAddress()).sync();
            // Sent at once: the bytes wait in the socket until the accepted side was moved and reads.
            c.writeAndFlush(Unpooled.copiedBuffer("hello " + i, StandardCharsets.US_ASCII)).sync();
            clients.add(c);
        }
        for (int i = 0; i < clients.size(); i++) {
            Channel c = clients.get(i);
            assertThat(c.pipeline().get(Collect.class).text.get(10, TimeUnit.SECONDS)).isEqualTo("hello " + i);
            assertThat(initializedOn.get((InetSocketAddress) c.localAddress())).as("connection " + i).isSameAs(c.eventLoop());
        }
        assertThat(affinity.size()).isEqualTo(8);
        for (Channel c : clients) {
            c.close().sync();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> affinity.size() == 0);
    }

    @Test
    void anyOtherConnectionStaysWhereItWasAcceptedAndWorks() throws Exception {
        Channel c = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new Collect())
                .connect(server.localAddress()).sync().channel();
        c.writeAndFlush(Unpooled.copiedBuffer("plain", StandardCharsets.US_ASCII)).sync();
        assertThat(c.pipeline().get(Collect.class).text.get(10, TimeUnit.SECONDS)).isEqualTo("plain");
        assertThat(initializedOn).containsKey((InetSocketAddress) c.localAddress());
        assertThat(affinity.loopFor(c.localAddress())).isNull();
        c.close().sync();
    }

    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }

    private static final class Collect extends ChannelInboundHandlerAdapter {
        final CompletableFuture<String> text = new CompletableFuture<>();
        private final StringBuilder sb = new StringBuilder();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            sb.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
            if (sb.toString().startsWith("hello ") ? sb.length() >= 7 : sb.length() >= 5) {
                text.complete(sb.toString());
            }
        }
    }
}
