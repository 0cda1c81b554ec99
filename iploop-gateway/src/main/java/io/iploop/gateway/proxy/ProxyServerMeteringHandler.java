package io.iploop.gateway.proxy;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.metering.GatewayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

/**
 * Counts the bytes read from and written to a customer socket (metered at the
 * customer-facing socket, protocol overhead included: docs/product/usage.md#metering). First in
 * every customer pipeline, never
 * removed. Written bytes count once the write succeeded. Every byte also spends the account's
 * byte budget (no I/O, see {@link io.iploop.gateway.limits.AccountLimiter#spend}), in both
 * directions. Once it is gone (or a tunnel's per-tunnel byte cap is reached), the connection is
 * cut when its next write to the customer completes, so a download overshoots by at most the
 * bytes queued for writing (bounded by the channel's write buffer, well under 1 MiB), and a
 * refusal written after admission still reaches the customer. A read cuts only while an admitted
 * request or tunnel is carried (an upload overshoots by at most one socket read, 64 KiB or
 * less); between requests the bytes of the next request must reach admission, which answers 402.
 * Gives the connection's concurrency slot back when it closes. Not {@code @Sharable}: it holds
 * the connection.
 */
public final class ProxyServerMeteringHandler extends ChannelDuplexHandler {

    private final ProxyConnection connection;
    private final GatewayMetrics metrics;

    public ProxyServerMeteringHandler(ProxyConnection connection, GatewayMetrics metrics) {
        this.connection = connection;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long n = size(msg);
        if (n > 0) {
            connection.addRead(n);
            metrics.bytesUp(n);
        }
        boolean carrying = connection.carrying();
        if (n > 0 && !connection.spend(n) && carrying) {
            // An upload past the budget: drop it and stop reading from the customer.
            ReferenceCountUtil.release(msg);
            cut(ctx);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.releaseSlot();
        ctx.fireChannelInactive();
    }

    private void cut(ChannelHandlerContext ctx) {
        if (ctx.channel().isOpen()) {
            metrics.error(ProxyError.BALANCE_EXHAUSTED);
            ctx.channel().close();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long n = size(msg);
        if (n > 0) {
            ChannelPromise p = promise.unvoid();
            p.addListener(f -> {
                if (f.isSuccess()) {
                    connection.addWritten(n);
                    metrics.bytesDown(n);
                    if (!connection.spend(n)) {
                        cut(ctx);
                    }
                }
            });
            ctx.write(msg, p);
        } else {
            ctx.write(msg, promise);
        }
    }

    private static long size(Object msg) {
        if (msg instanceof ByteBuf b) {
            return b.readableBytes();
        }
        if (msg instanceof ByteBufHolder h) {
            return h.content().readableBytes();
        }
        return 0;
    }
}
