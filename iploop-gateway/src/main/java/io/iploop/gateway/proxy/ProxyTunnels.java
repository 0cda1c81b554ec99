package io.iploop.gateway.proxy;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.gateway.limits.AccountLimiter;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.tunnel.ByteStreamRelay;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raw tunnels (HTTP CONNECT, SOCKS5 CONNECT) in one place for both listeners: opening the exit
 * stream, the success path up to the relay, refusals, and the mapping of exit failures to
 * {@link ProxyError}s. Stateless.
 */
public final class ProxyTunnels {

    private static final Logger log = LoggerFactory.getLogger(ProxyTunnels.class);

    private ProxyTunnels() {}

    /**
     * The CONNECT success path shared by the HTTP proxy and SOCKS5 listeners, once the exit
     * stream is open: if the customer already left, the stream is closed and the usage recorded;
     * otherwise {@code reply} (the protocol's "connected" answer) is written, and once it is out the
     * protocol handlers named in {@code protocolHandlers} and {@code self} leave the pipeline, the
     * channel moves onto the stream's event loop ({@link ExitLoopAffinity}) and the bytes are relayed
     * ({@link #relay}). {@code early} holds bytes the customer sent before the
     * relay started; this method takes them over when the relay starts (the caller still releases
     * what is left in it when {@code self} is removed otherwise). Call on the channel's event loop.
     */
    public static void established(ProxyServices services, ChannelHandlerContext ctx, ChannelHandler self,
            MeteredStream metered, ExitStream stream, Object reply, List<String> protocolHandlers, List<ByteBuf> early) {
        if (!ctx.channel().isActive()) {
            stream.close();
            services.recordUsage(metered, stream.exit(), null);
            return;
        }
        ctx.writeAndFlush(reply).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                stream.abort("customer connection closed");
                services.recordUsage(metered, stream.exit(), null);
                f.channel().close();
                return;
            }
            ChannelPipeline p = ctx.pipeline();
            // Removing the codecs hands any bytes they hold to the handler still in place (self).
            for (String name : protocolHandlers) {
                if (p.get(name) != null) {
                    p.remove(name);
                }
            }
            List<ByteBuf> held = new ArrayList<>(early);
            early.clear();
            p.remove(self);
            Channel channel = ctx.channel();
            ExitLoopAffinity.moveToStreamLoop(channel, stream, () -> relay(services, channel, stream, held, metered),
                    cause -> {
                        log.debug("customer connection to {} closed while moving to its exit's loop: {}",
                                metered.host(), cause.toString());
                        held.forEach(ByteBuf::release);
                        held.clear();
                        stream.abort("customer connection closed");
                        services.recordUsage(metered, stream.exit(), null);
                    });
        });
    }

    /**
     * Answers a request that gets no exit stream with {@code reply}, then records the refusal's
     * usage and closes the connection. Call on the channel's event loop.
     */
    public static void refuse(ProxyServices services, ChannelHandlerContext ctx, MeteredStream metered, ProxyError error,
            Object reply) {
        services.metrics().error(error);
        ctx.writeAndFlush(reply).addListener((ChannelFutureListener) f -> {
            services.recordUsage(metered, null, error);
            f.channel().close();
        });
    }

    /**
     * Relays {@code channel} (all protocol handlers already removed, {@code AUTO_READ=false}) and
     * {@code stream} through {@link ByteStreamRelay}; {@code early} bytes the customer sent
     * before the relay started go first. The tunnel's usage record (one request) is emitted when
     * the customer channel closes, interim records while it is open ({@link InterimUsage}). The account's per-tunnel caps apply from here: the byte cap
     * through the metering handler, the lifetime by a timer that closes the channel. Call on the
     * channel's event loop.
     */
    static void relay(ProxyServices services, Channel channel, ExitStream stream, List<ByteBuf> early,
            MeteredStream metered) {
        ProxyConnection connection = metered.connection();
        AccountLimiter limiter = connection.limiter();
        AccountLimits plan = limiter == null ? AccountLimits.UNLIMITED : limiter.limits();
        connection.tunnelStarted(plan.maxBytesPerTunnel());
        if (plan.maxTunnelLifetimeSeconds() > 0) {
            ScheduledFuture<?> expiry = channel.eventLoop().schedule(() -> {
                log.debug("tunnel to {} reached the plan's lifetime of {} s", metered.host(),
                        plan.maxTunnelLifetimeSeconds());
                channel.close();
            }, plan.maxTunnelLifetimeSeconds(), TimeUnit.SECONDS);
            channel.closeFuture().addListener(f -> expiry.cancel(false));
        }
        for (ByteBuf b : early) {
            stream.write(b);
        }
        early.clear();
        String host = metered.host();
        services.metrics().streamOpened();
        services.revocation().opened(channel, connection);
        InterimUsage.Stream interim = services.interim().begin(services, channel, metered, stream::exit);
        channel.closeFuture().addListener(f -> {
            services.metrics().streamClosed();
            interim.end();
            services.recordUsage(metered, stream.exit(), null);
        });
        try {
            ByteStreamRelay.relay(channel, stream, error -> {
                if (error != null) {
                    log.debug("tunnel to {} ended: {}", host, error);
                }
            }, Duration.ofMillis(services.halfClosedIdleTimeoutMillis()));
        } catch (RuntimeException e) {
            log.error("could not start the relay to {}", host, e);
            stream.abort("relay failed");
            channel.close();
        }
    }

    /**
     * Opens an exit stream for a customer connection and hands the outcome back on the
     * connection's event loop, where the listener's handlers keep all their state. If the loop is
     * gone (gateway shutting down) an opened stream is aborted instead of leaked.
     *
     * @param then receives the stream, or null and the failure; runs on {@code ctx.executor()}
     */
    public static void openExit(ProxyServices services, ChannelHandlerContext ctx, ExitRequest request,
            BiConsumer<@Nullable ExitStream, @Nullable Throwable> then) {
        CompletableFuture<ExitStream> opening;
        ProxyServerHalfCloseHandler.exitOpening(ctx.channel(), true);
        try {
            opening = services.exits().open(request);
        } catch (RuntimeException e) {
            opening = CompletableFuture.failedFuture(e);
        }
        opening.whenComplete((stream, failure) -> {
            try {
                ctx.executor().execute(() -> {
                    ProxyServerHalfCloseHandler.exitOpening(ctx.channel(), false);
                    then.accept(stream, failure);
                });
            } catch (RejectedExecutionException e) {
                if (stream != null) {
                    stream.abort("gateway shutting down");
                }
            }
        });
    }

    /** The error for a failed {@link io.iploop.gateway.exit.ExitConnector#open}. */
    public static ProxyError errorOf(@Nullable Throwable failure) {
        ExitException ee = exitException(failure);
        return ee == null ? ProxyError.INTERNAL_ERROR : ProxyError.of(ee.failure());
    }

    /** The failure inside any {@link CompletionException} wrappers, or null. */
    static @Nullable Throwable rootCause(@Nullable Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The {@link ExitException} inside a future's failure, or null. */
    public static @Nullable ExitException exitException(@Nullable Throwable failure) {
        Throwable t = failure;
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof ExitException ee ? ee : null;
    }
}
