package io.iploop.gateway.socks;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.metering.GatewayMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The SOCKS5 handshake deadline against slowloris clients: greeting, authentication and request
 * (RFC 1928 §3-4, RFC 1929) must all have arrived within {@code timeoutMillis} of accept, however
 * slowly the bytes trickle in; otherwise the connection closes (no reply is defined for it).
 * {@link Socks5ServerConnectHandler} removes it once the request arrived.
 *
 * <p>Pipeline position: after the read scheduling handler. Not {@code @Sharable}; confined to the
 * channel's event loop.
 */
final class Socks5ServerHandshakeDeadlineHandler extends ChannelInboundHandlerAdapter {

    private final long timeoutMillis;
    private final GatewayMetrics metrics;
    private @Nullable ScheduledFuture<?> timer;

    /** @param timeoutMillis how long the whole handshake may take, in ms, > 0 */
    Socks5ServerHandshakeDeadlineHandler(long timeoutMillis, GatewayMetrics metrics) {
        this.timeoutMillis = timeoutMillis;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    private void arm(ChannelHandlerContext ctx) {
        if (timer == null) {
            timer = ctx.executor().schedule(() -> {
                if (ctx.channel().isActive()) {
                    metrics.error(ProxyError.REQUEST_TIMEOUT);
                    ctx.channel().close();
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }
}
