package io.iploop.gateway.proxy;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.metering.GatewayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;

/**
 * Counts the bytes read from and written to a customer socket (metered at the customer-facing
 * socket, protocol overhead included: docs/product/usage.md#metering). First in every customer
 * pipeline, never removed. Gives the connection's concurrency slot back when it closes.
 *
 * <p>Every byte also spends the account's byte budget (and a sub-user's; no I/O, see
 * {@link io.iploop.gateway.limits.AccountLimiter}), in both directions (docs/architecture.md,
 * "Metering"):
 * <ul>
 *   <li>A write spends its bytes when it is handed to the socket, before it is queued, and is
 *       metered once it succeeded; a write that fails gives its bytes back. While an admitted
 *       request is carried, a write is cut to what the budget (or a tunnel's per-tunnel byte cap)
 *       still allows, a write it allows nothing of is refused (its promise failed with a
 *       {@link ClosedChannelException}), and either way the connection is closed once what is
 *       queued has been written: a download carries exactly the budget, however much the relay
 *       had queued. A refusal written after admission still reaches the customer.
 *   <li>A read cuts at once, and only while an admitted request or tunnel is carried (an upload
 *       overshoots by at most one socket read, 64 KiB or less); between requests the bytes of the
 *       next request must reach admission, which answers 402.
 * </ul>
 *
 * <p>Not {@code @Sharable}: it holds the connection. Event loop only.
 */
public final class ProxyServerMeteringHandler extends ChannelDuplexHandler {

    private final ProxyConnection connection;
    private final GatewayMetrics metrics;
    /** Whether a refused write has the connection closing ({@link #cutOnceWritten}). */
    private boolean cutting;

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

    /**
     * Closes the connection once the writes queued before it (already paid for) reached the
     * socket; writes offered meanwhile are refused by {@link #write}.
     */
    private void cutOnceWritten(ChannelHandlerContext ctx) {
        if (!cutting && ctx.channel().isOpen()) {
            cutting = true;
            metrics.error(ProxyError.BALANCE_EXHAUSTED);
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long n = size(msg);
        if (n == 0) {
            ctx.write(msg, promise);
            return;
        }
        int epoch = connection.budgetEpoch();
        long allowed = connection.reserveWrite(n);
        if (allowed == 0) {
            // The budget ends before these bytes: they are not sent, and neither is anything after.
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new ClosedChannelException());
            cutOnceWritten(ctx);
            return;
        }
        if (allowed < n) {
            // The budget ends within these bytes: the customer gets exactly what it pays for.
            ByteBuf content = msg instanceof ByteBuf b ? b : ((ByteBufHolder) msg).content();
            content.writerIndex(content.readerIndex() + (int) allowed);
        }
        ChannelPromise p = promise.unvoid();
        p.addListener(f -> {
            if (f.isSuccess()) {
                connection.writeCompleted(allowed);
                metrics.bytesDown(allowed);
            } else {
                connection.writeFailed(allowed, epoch);
            }
        });
        ctx.write(msg, p);
        if (allowed < n) {
            cutOnceWritten(ctx);
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
