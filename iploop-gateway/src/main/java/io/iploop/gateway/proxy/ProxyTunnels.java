package io.iploop.gateway.proxy;

import io.iploop.gateway.auth.Targeting;
import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.tunnel.ByteStreamRelay;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts raw tunnels (HTTP CONNECT, SOCKS5 CONNECT) once the handshake is done, and maps exit
 * failures to {@link ProxyError}s. Stateless.
 */
public final class ProxyTunnels {

    private static final Logger log = LoggerFactory.getLogger(ProxyTunnels.class);

    private ProxyTunnels() {}

    /**
     * Relays {@code channel} (all protocol handlers already removed, {@code AUTO_READ=false}) and
     * {@code stream} through {@link ByteStreamRelay}; {@code early} bytes the customer sent
     * before the relay started go first. The tunnel's usage record (one request) is emitted when
     * the customer channel closes. Call on the channel's event loop.
     */
    public static void start(
            ProxyServices services,
            ProxyConnection connection,
            Channel channel,
            ExitStream stream,
            List<ByteBuf> early,
            CustomerPrincipal principal,
            Targeting targeting,
            String host,
            Instant startedAt) {
        for (ByteBuf b : early) {
            stream.write(b);
        }
        early.clear();
        services.metrics().streamOpened();
        channel.closeFuture().addListener(f -> {
            services.metrics().streamClosed();
            services.recordUsage(connection, principal, targeting, host, 1, stream.exit(), null, startedAt);
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

    /** The {@link ExitException} inside a future's failure, or null. */
    public static @Nullable ExitException exitException(@Nullable Throwable failure) {
        Throwable t = failure;
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof ExitException ee ? ee : null;
    }
}
