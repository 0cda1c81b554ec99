package io.iploop.gateway.tls;

import io.iploop.tunnel.ByteStreamRelay;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right after the {@link io.netty.handler.ssl.SslHandler} of a TLS listener (docs/tls.md):
 * <ul>
 *   <li>a failed TLS handshake (a plain-text client, a client that does not trust the certificate,
 *       no ClientHello within the handshake timeout) is no error of the gateway: it is logged at
 *       debug, reported to {@code onHandshakeFailure} (metrics) and the connection closed; a
 *       connection that just goes away before its handshake is not counted;</li>
 *   <li>the client's {@code close_notify} is the end of its input, as a FIN is on a plain
 *       listener: it goes down the pipeline as a {@link ChannelInputShutdownEvent} (a TLS 1.3 client
 *       may half-close so; the TCP FIN that follows is a second, harmless one). If it came while no
 *       relay was in place yet (the exit being opened), it is delivered again when the relay asks
 *       for its first read, so the relay ends the exit's direction.</li>
 * </ul>
 * The other direction, {@code close_notify} when the exit ends its side, is sent by the relay
 * ({@link ByteStreamRelay}, through {@code SslHandler.closeOutbound()}). Not {@code @Sharable};
 * confined to the channel's event loop.
 */
public final class TlsServerHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(TlsServerHandler.class);

    /** Name of the {@code SslHandler} in the pipeline. */
    public static final String SSL_NAME = "tls";
    /** Name of this handler in the pipeline. */
    public static final String NAME = "tls-events";

    private final Runnable onHandshakeFailure;
    /** The client's close_notify arrived while no relay was there to take it. */
    private boolean closeNotifyPending;

    private TlsServerHandler(Runnable onHandshakeFailure) {
        this.onHandshakeFailure = onHandshakeFailure;
    }

    /**
     * Adds the TLS handler (with the certificate {@code tls} holds now) and this one at the end of
     * {@code pipeline}; call first in a channel initializer, before the protocol's handlers.
     *
     * @param handshakeTimeoutMillis longest TLS handshake, from accept
     * @param onHandshakeFailure called once per connection whose handshake failed (on its event loop)
     */
    public static void install(ChannelPipeline pipeline, ServerTls tls, long handshakeTimeoutMillis, Runnable onHandshakeFailure) {
        pipeline.addLast(SSL_NAME, tls.newHandler(pipeline.channel().alloc(), handshakeTimeoutMillis));
        pipeline.addLast(NAME, new TlsServerHandler(onHandshakeFailure));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            Throwable cause = done.cause();
            if (cause instanceof SSLException) {
                onHandshakeFailure.run();
                log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            }
            ctx.close();
            return;
        }
        if (evt instanceof SslCloseCompletionEvent closed) {
            if (closed.isSuccess()) {
                if (ctx.pipeline().get(ByteStreamRelay.HANDLER_NAME) == null) {
                    closeNotifyPending = true;
                }
                ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (closeNotifyPending && ctx.pipeline().get(ByteStreamRelay.HANDLER_NAME) != null) {
            closeNotifyPending = false;
            ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            return;
        }
        ctx.read();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (t instanceof SSLException) {
            // Already counted through the handshake event when it was a handshake; a later TLS error
            // (a bad record) is the client's: close, nothing to report.
            log.debug("TLS error on {}: {}", ctx.channel().remoteAddress(), t.toString());
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
