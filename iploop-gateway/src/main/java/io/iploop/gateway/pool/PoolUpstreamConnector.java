package io.iploop.gateway.pool;

import io.iploop.gateway.net.EventLoops;
import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.gateway.exit.direct.ChannelExitStream;
import io.iploop.gateway.spi.PoolGrant;
import io.iploop.gateway.spi.PoolUpstream;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The exit of one pool port: chains every stream through the port's upstream proxy
 * (docs/upstream-pool.md#ports-and-protocols). An HTTP upstream gets {@code CONNECT host:port}
 * with {@code Proxy-Authorization: Basic} (RFC 9110 §9.3.6, RFC 7617) for tunnels and for plain
 * HTTP requests alike; a SOCKS5 upstream gets RFC 1928 CONNECT with the destination as a domain
 * name and RFC 1929 username/password authentication when credentials are set. The handshake is
 * Netty's {@link ProxyHandler}, removed with its codec once it is done; then the channel's only
 * handler is a {@link ChannelExitStream} (the direct exit's stream: writability, read-ahead and
 * half-close as for every exit), wrapped in a {@link PoolExitStream} for the account's pool limits. Failures: 503
 * {@link ExitException.Failure#UPSTREAM_UNAVAILABLE} while the health checks hold the upstream
 * down, 504 {@code TIMEOUT}, 502 {@code CONNECT_FAILED} or {@code UNREACHABLE}, each naming the
 * cause. Thread-safe; {@link #open} never blocks (the upstream's host name is resolved once, when the
 * connector is made on a reload, off the event loops).
 */
final class PoolUpstreamConnector implements ExitConnector {

    /**
     * Largest read of an upstream socket whose stream is not shaped below {@link #BULK_RATE_BYTES_PER_SECOND},
     * in bytes. Netty's default stops at 64 KiB: one event-loop turn, one {@code recv}, one {@code send} to the
     * customer and one acknowledgement per 64 KiB however much the upstream has queued. While the gateway keeps
     * up, a read returns what one upstream write brought (Squid writes 64 KiB); once it falls behind (a busy
     * machine), larger reads catch up in fewer turns (iploop-bench/PROFILE.md#upstream-pool-one-64-mib-stream).
     * The read-ahead bound of {@link ChannelExitStream} still applies before each read, so a stream holds at
     * most its read-ahead plus one such read.
     */
    static final int BULK_READ_BYTES = 256 * 1024;

    /**
     * Below this shaping rate (bytes per second, per socket or for the account) reads stay at Netty's default
     * size: a 256 KiB read is more than the rate's 50 ms burst ({@link PoolExitStream#SHAPING_BURST_NANOS}), and
     * a shaped download is held back one read at a time, so smaller reads keep it smooth.
     */
    static final long BULK_RATE_BYTES_PER_SECOND = BULK_READ_BYTES * 1_000_000_000L / PoolExitStream.SHAPING_BURST_NANOS;

    private static final String EXIT_STREAM = "exit-stream";

    private static final AdaptiveRecvByteBufAllocator BULK_READS = new AdaptiveRecvByteBufAllocator(64, 2048, BULK_READ_BYTES);

    private final PoolUpstream upstream;
    private final PoolPortState state;
    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;
    private final long connectTimeoutMillis;
    private final @Nullable PoolAccounts accounts;
    /** The upstream's address, resolved when the connector was made (off the event loops). */
    private final InetSocketAddress proxy;

    /**
     * @param state the port's health (down: refused without connecting)
     * @param accounts whose limits apply to streams, or null (health probes)
     */
    PoolUpstreamConnector(PoolUpstream upstream, PoolPortState state, EventLoopGroup group, Duration connectTimeout,
            @Nullable PoolAccounts accounts) {
        this.upstream = upstream;
        this.state = state;
        this.group = group;
        this.channelClass = EventLoops.isEpoll(group)
                ? EpollSocketChannel.class : NioSocketChannel.class;
        this.connectTimeoutMillis = Math.max(1, connectTimeout.toMillis());
        this.accounts = accounts;
        this.proxy = new InetSocketAddress(upstream.host(), upstream.upstreamPort());
    }

    Class<? extends Channel> channelClass() {
        return channelClass;
    }

    PoolUpstream upstream() {
        return upstream;
    }

    @Override
    public CompletableFuture<ExitStream> open(ExitRequest request) {
        String downReason = state.downReason();
        if (downReason != null) {
            return CompletableFuture.failedFuture(new ExitException(ExitException.Failure.UPSTREAM_UNAVAILABLE,
                    "the upstream of pool port " + upstream.port() + " is down: " + downReason));
        }
        PoolAccount account = accounts == null ? null : accounts.loaded(request.principal().userId());
        PoolGrant grant = account == null ? null : account.grant();
        long perSocket = grant == null ? 0 : grant.bytesPerSecondPerSocket();
        boolean bulk = bulkReads(perSocket, grant == null ? 0 : grant.bytesPerSecondTotal());
        return connect(request.host(), request.port(), bulk).thenApply(stream -> new PoolExitStream(stream, account, perSocket));
    }

    /**
     * Whether an upstream socket shaped to these rates (bytes per second, 0 = unshaped) reads up to
     * {@link #BULK_READ_BYTES} at a time.
     */
    static boolean bulkReads(long bytesPerSecondPerSocket, long bytesPerSecondTotal) {
        return (bytesPerSecondPerSocket == 0 || bytesPerSecondPerSocket >= BULK_RATE_BYTES_PER_SECOND)
                && (bytesPerSecondTotal == 0 || bytesPerSecondTotal >= BULK_RATE_BYTES_PER_SECOND);
    }

    /** Connects through the upstream to {@code host:port}: the raw stream, no pool limits, Netty's read sizes. */
    CompletableFuture<ExitStream> connect(String host, int port) {
        return connect(host, port, false);
    }

    /**
     * Connects through the upstream to {@code host:port}: the raw stream, no pool limits.
     *
     * @param bulkReads whether the socket reads up to {@link #BULK_READ_BYTES} at a time (else up to Netty's 64 KiB)
     */
    CompletableFuture<ExitStream> connect(String host, int port, boolean bulkReads) {
        CompletableFuture<ExitStream> result = new CompletableFuture<>();
        if (proxy.isUnresolved()) {
            return CompletableFuture.failedFuture(new ExitException(ExitException.Failure.CONNECT_FAILED,
                    "the upstream host " + upstream.host() + " does not resolve"));
        }
        String target = host + ":" + port;
        ExitInfo info = new ExitInfo(null, null, null, 0, null);
        ProxyHandler handshake = switch (upstream.scheme()) {
            case HTTP -> upstream.username() == null ? new HttpProxyHandler(proxy)
                    : new HttpProxyHandler(proxy, upstream.username(), upstream.password() == null ? "" : upstream.password());
            case SOCKS5 -> upstream.username() == null ? new Socks5ProxyHandler(proxy)
                    : new Socks5ProxyHandler(proxy, upstream.username(), upstream.password() == null ? "" : upstream.password());
        };
        handshake.setConnectTimeoutMillis(connectTimeoutMillis);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis))
                .resolver(io.netty.resolver.NoopAddressResolverGroup.INSTANCE)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("upstream-handshake", handshake);
                        ch.pipeline().addLast(EXIT_STREAM, new ChannelExitStream(ch, info));
                    }
                });
        if (bulkReads) {
            // From the start: a channel keeps the read-size handle its first read made.
            b.option(ChannelOption.RECVBUF_ALLOCATOR, BULK_READS);
        }
        String via = "upstream " + upstream.host() + ":" + upstream.upstreamPort();
        b.connect(InetSocketAddress.createUnresolved(host, port)).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(failure(f.cause(), via, target));
                return;
            }
            handshake.connectFuture().addListener(h -> {
                if (h.isSuccess()) {
                    // Netty leaves a finished ProxyHandler in place, and HttpProxyHandler its emptied codec wrapper,
                    // each passing every read, write and flush on: the stream becomes the channel's only handler.
                    ChannelPipeline p = f.channel().pipeline();
                    ChannelHandler stream = p.get(EXIT_STREAM);
                    for (ChannelHandler other : p.toMap().values()) {
                        if (other != stream) {
                            p.remove(other);
                        }
                    }
                    result.complete((ChannelExitStream) stream);
                } else {
                    f.channel().close();
                    result.completeExceptionally(failure(h.cause(), via, target));
                }
            });
        });
        return result;
    }

    /** The exit failure for {@code cause}, naming the upstream and what went wrong. */
    static ExitException failure(Throwable cause, String via, String target) {
        if (cause instanceof ConnectTimeoutException) {
            return new ExitException(ExitException.Failure.TIMEOUT, "connecting to " + via + " timed out");
        }
        if (cause instanceof NoRouteToHostException) {
            return new ExitException(ExitException.Failure.UNREACHABLE, "no route to " + via);
        }
        if (cause instanceof ConnectException) {
            return new ExitException(ExitException.Failure.CONNECT_FAILED, via + " refused the connection");
        }
        if (cause instanceof ProxyConnectException pce) {
            String m = pce.getMessage() == null ? "" : pce.getMessage();
            if (m.endsWith("timeout")) {
                return new ExitException(ExitException.Failure.TIMEOUT, via + " did not answer the handshake for " + target + " in time");
            }
            int status = m.lastIndexOf("status: ");
            String answer = status < 0 ? m : m.substring(status + 8);
            if (answer.startsWith("504") || answer.startsWith("TTL_EXPIRED")) {
                return new ExitException(ExitException.Failure.TIMEOUT, via + " timed out reaching " + target + " (" + answer + ")");
            }
            return new ExitException(ExitException.Failure.CONNECT_FAILED, via + " could not connect to " + target + " (" + answer + ")");
        }
        return new ExitException(ExitException.Failure.CONNECT_FAILED,
                via + " failed: " + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
    }
}
