package io.iploop.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the bytes an exit connection carries, both directions, into one agent-wide counter.
 * Pipeline position: first in every exit (origin) channel, before the relay handler; never
 * removed. Stateless apart from the shared atomic counter, so one {@code @Sharable} instance
 * serves all exit channels of an agent.
 */
@Sharable
final class ExitTrafficCounter extends ChannelDuplexHandler {

    private final AtomicLong bytesCarried;

    ExitTrafficCounter(AtomicLong bytesCarried) {
        this.bytesCarried = bytesCarried;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        bytesCarried.addAndGet(sizeOf(msg));
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        bytesCarried.addAndGet(sizeOf(msg));
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
