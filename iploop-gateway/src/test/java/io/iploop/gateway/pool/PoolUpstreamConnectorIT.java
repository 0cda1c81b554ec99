package io.iploop.gateway.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.exit.ExitStream;
import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.tunnel.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The read sizes of a pool port's upstream socket (iploop-bench/PROFILE.md#upstream-pool-one-64-mib-stream):
 * an unshaped stream reads more than Netty's 64 KiB at a time when the upstream has more queued, a stream
 * shaped to a low rate keeps Netty's reads, and every byte arrives either way. The upstream is a minimal HTTP proxy on a plain socket that
 * answers CONNECT with 200 and then sends {@value #BYTES} bytes at once; the stream's handler is set only once
 * the socket buffers hold what they can, so reads find more than 64 KiB waiting.
 */
class PoolUpstreamConnectorIT {

    static final int BYTES = 4 << 20;

    static EventLoopGroup group;

    @BeforeAll
    static void start() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void bulkReadsAreDecidedByTheShapingRates() {
        assertThat(PoolUpstreamConnector.bulkReads(0, 0)).isTrue();
        assertThat(PoolUpstreamConnector.bulkReads(PoolUpstreamConnector.BULK_RATE_BYTES_PER_SECOND, 0)).isTrue();
        assertThat(PoolUpstreamConnector.bulkReads(PoolUpstreamConnector.BULK_RATE_BYTES_PER_SECOND - 1, 0)).isFalse();
        assertThat(PoolUpstreamConnector.bulkReads(0, 512 * 1024)).isFalse();
        assertThat(PoolUpstreamConnector.bulkReads(100_000_000_000L, 1_000_000_000_000L)).isTrue();
    }

    @Test
    void anUnshapedUpstreamIsReadInChunksLargerThanNettysDefault() throws Exception {
        assertThat(largestRead(true)).isGreaterThan(64 * 1024);
    }

    @Test
    void aShapedUpstreamKeepsNettysReadSizes() throws Exception {
        assertThat(largestRead(false)).isLessThanOrEqualTo(64 * 1024);
    }

    /** Downloads {@link #BYTES} through the connector once the upstream has queued them; the largest chunk. */
    private static int largestRead(boolean bulk) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> upstream = CompletableFuture.runAsync(() -> serveOnce(server));
            PoolUpstream u = new PoolUpstream(4000, PoolUpstream.Scheme.HTTP, "127.0.0.1", server.getLocalPort(), null, null);
            PoolUpstreamConnector connector = new PoolUpstreamConnector(u, new PoolPortState(Instant.now(), 3), group,
                    Duration.ofSeconds(5), null);
            ExitStream stream = connector.connect("example.test", 443, bulk).get(10, TimeUnit.SECONDS);
            Thread.sleep(300); // the upstream queues what the socket buffers hold; nothing is read before setHandler
            AtomicLong received = new AtomicLong();
            AtomicInteger largest = new AtomicInteger();
            CompletableFuture<@Nullable String> closed = new CompletableFuture<>();
            stream.setHandler(new ByteStream.Handler() {
                @Override
                public void onData(ByteStream s, ByteBuf data) {
                    int n = data.readableBytes();
                    largest.accumulateAndGet(n, Math::max);
                    received.addAndGet(n);
                    data.release();
                    s.ack(n);
                }

                @Override
                public void onWritabilityChanged(ByteStream s) {}

                @Override
                public void onInputShutdown(ByteStream s) {
                    closed.complete(null);
                }

                @Override
                public void onClosed(ByteStream s, @Nullable String error) {
                    closed.complete(error);
                }
            });
            assertThat(closed.get(10, TimeUnit.SECONDS)).isNull();
            assertThat(received.get()).isEqualTo(BYTES);
            stream.close();
            upstream.get(10, TimeUnit.SECONDS);
            return largest.get();
        }
    }

    /** Accepts one connection, answers its CONNECT with 200, writes {@link #BYTES} bytes and closes. */
    private static void serveOnce(ServerSocket server) {
        try (Socket s = server.accept()) {
            s.setSendBufferSize(BYTES);
            InputStream in = s.getInputStream();
            int matched = 0;
            while (matched < 4) { // the end of the request head: CR LF CR LF
                int b = in.read();
                if (b < 0) {
                    throw new IOException("no request head");
                }
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[BYTES]);
            out.flush();
            s.shutdownOutput();
            // Hold the socket until the client has read everything and closed its side.
            while (in.read() >= 0) {
                // discard
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
