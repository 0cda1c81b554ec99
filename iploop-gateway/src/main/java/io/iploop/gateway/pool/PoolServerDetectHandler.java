package io.iploop.gateway.pool;

import io.iploop.gateway.http.HttpProxyServerInitializer;
import io.iploop.gateway.proxy.ProxyServices;
import io.iploop.gateway.socks.Socks5ProxyServerInitializer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Tells the protocol of a pool-port connection from its first byte
 * (docs/upstream-pool.md#ports-and-protocols): {@code 0x05} is a SOCKS5 greeting (RFC 1928 §3),
 * anything else an HTTP proxy request; then installs that listener's pipeline
 * ({@link Socks5ProxyServerInitializer} or {@link HttpProxyServerInitializer}) with the port's
 * {@link ProxyServices}, replays the byte(s) into it and removes itself. A connection that sends
 * nothing within the handshake timeout is closed.
 *
 * <p>Pipeline position: the only handler until the first bytes arrive; removes itself. Not
 * {@code @Sharable}; confined to the channel's event loop.
 */
final class PoolServerDetectHandler extends ChannelInboundHandlerAdapter {

    /** The first byte of a SOCKS5 greeting: the protocol version. */
    static final byte SOCKS5_VERSION = 0x05;

    private final ProxyServices services;
    private @Nullable ScheduledFuture<?> deadline;
    private boolean detected;

    PoolServerDetectHandler(ProxyServices services) {
        this.services = services;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> {
            if (!detected) {
                ctx.close();
            }
        }, services.handshakeTimeoutMillis(), TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (detected) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof ByteBuf buf) || !buf.isReadable()) {
            ReferenceCountUtil.release(msg);
            ctx.read();
            return;
        }
        detected = true;
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
        ChannelHandler protocol = buf.getByte(buf.readerIndex()) == SOCKS5_VERSION
                ? new Socks5ProxyServerInitializer(services)
                : new HttpProxyServerInitializer(services);
        // The initializer appends the listener's handlers after this one (the channel is registered).
        ctx.pipeline().addLast(protocol);
        if (!ctx.channel().isActive()) {
            buf.release();
            return;
        }
        // The listener's handlers start (first read, deadlines) on channelActive, then see the bytes.
        ctx.fireChannelActive();
        ctx.fireChannelRead(buf);
        ctx.pipeline().remove(this);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (detected) {
            ctx.fireExceptionCaught(cause);
        } else {
            ctx.close();
        }
    }
}
