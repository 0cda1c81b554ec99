package io.iploop.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's bandwidth cap on a real exit socket (docs/node-agent.md#bandwidth-limit): a local
 * target sends and receives at once through a channel set up like an exit stream's ({@code AUTO_READ}
 * off, reads requested one at a time, the next write only after the previous one completed, as
 * {@code ByteStreamRelay} does). Under a 2 Mbit/s cap each direction cannot move faster than
 * 250 000 bytes/s plus the burst, and every byte still arrives. A lower bound on time only: a
 * missing cap finishes in milliseconds. That each direction has its own budget (not half of a
 * shared one) is {@code AgentBandwidthCapIT}'s lower bound on the rate, through a real gateway; an
 * upper bound on time here does not hold on a machine loaded 10 times over its cores.
 */
class ExitBandwidthHandlerIT {

    private static final int MBPS = 2;
    private static final int DOWN = 300_000;
    private static final int UP = 300_000;
    private static final int CHUNK = 16 * 1024;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void eachDirectionStaysUnderTheCapWithItsOwnBudgetAndEveryByteArrives() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Long> uploadedToTarget = new CompletableFuture<>();
            Thread target = Thread.ofPlatform().start(() -> {
                try (Socket s = server.accept()) {
                    Thread sender = Thread.ofPlatform().start(() -> {
                        try {
                            OutputStream out = s.getOutputStream();
                            out.write(new byte[DOWN]);
                            out.flush();
                        } catch (Exception e) {
                            // the client side reports missing bytes
                        }
                    });
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[CHUNK];
                    long got = 0;
                    int n;
                    while (got < UP && (n = in.read(buf)) > 0) {
                        got += n;
                    }
                    uploadedToTarget.complete(got);
                    sender.join();
                    Thread.sleep(200);
                } catch (Exception e) {
                    uploadedToTarget.completeExceptionally(e);
                }
            });

            AtomicLong downloaded = new AtomicLong();
            CompletableFuture<Void> downloadDone = new CompletableFuture<>();
            ExitBandwidthHandler.Cap cap = ExitBandwidthHandler.Cap.of(MBPS);
            BandwidthLimiter limiter = cap.fromTargets();
            Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(ExitBandwidthHandler.NAME, new ExitBandwidthHandler(cap));
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    ctx.read();
                                }

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    if (downloaded.addAndGet(((ByteBuf) msg).readableBytes()) >= DOWN) {
                                        downloadDone.complete(null);
                                    }
                                    ReferenceCountUtil.release(msg);
                                    ctx.read(); // the relay reads again once the data is passed on
                                }
                            });
                        }
                    });
            long start = System.nanoTime();
            Channel ch = b.connect(server.getLocalSocketAddress()).sync().channel();
            CompletableFuture<Void> uploadDone = new CompletableFuture<>();
            upload(ch, 0, uploadDone);

            uploadDone.get(30, TimeUnit.SECONDS);
            downloadDone.get(30, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(uploadedToTarget.get(30, TimeUnit.SECONDS)).isEqualTo(UP);
            assertThat(downloaded.get()).isEqualTo(DOWN);
            long floorMillis = (long) ((Math.max(DOWN, UP) / (double) limiter.bytesPerSecond() - BandwidthLimiter.BURST_SECONDS)
                    * 1000 * 0.9);
            assertThat(took.toMillis()).as("300 kB each way at 2 Mbit/s each").isGreaterThanOrEqualTo(floorMillis);
            ch.close().sync();
            target.join(5_000);
        }
    }

    /** Writes the next chunk once the previous write completed, like the relay acknowledging data. */
    private static void upload(Channel ch, int sent, CompletableFuture<Void> done) {
        if (sent >= UP) {
            done.complete(null);
            return;
        }
        int n = Math.min(CHUNK, UP - sent);
        ChannelFuture f = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[n]));
        f.addListener(r -> {
            if (r.isSuccess()) {
                upload(ch, sent + n, done);
            } else {
                done.completeExceptionally(r.cause());
            }
        });
    }
}
