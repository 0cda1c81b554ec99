package io.iploop.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the bytes an exit connection carries into agent-wide counters: both directions together,
 * and each direction ({@code up}: written to the destination; {@code down}: read from it).
 * Pipeline position: first in every exit (origin) channel, before the relay handler; never
 * removed. Stateless apart from the shared atomic counter, so one {@code @Sharable} instance
 * serves all exit channels of an agent.
 */
@Sharable
final class ExitTrafficCounter extends ChannelDuplexHandler {

    private final AtomicLong bytesCarried;
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();

    ExitTrafficCounter(AtomicLong bytesCarried) {
        this.bytesCarried = bytesCarried;
    }

    /** Bytes written to destinations so far. */
    long bytesUp() {
        return bytesUp.get();
    }

    /** Bytes read from destinations so far. */
    long bytesDown() {
        return bytesDown.get();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long n = sizeOf(msg);
        bytesCarried.addAndGet(n);
        bytesDown.addAndGet(n);
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long n = sizeOf(msg);
        bytesCarried.addAndGet(n);
        bytesUp.addAndGet(n);
        ctx.write(msg, promise);
    }

    private static long sizeOf(Object msg) {
        if (msg instanceof ByteBuf buf) {
            return buf.readableBytes();
        }
        if (msg instanceof ByteBufHolder holder) {
            return holder.content().readableBytes();
        }
        return 0;
    }
}
