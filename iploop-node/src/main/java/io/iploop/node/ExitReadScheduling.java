package io.iploop.node;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;

/**
 * Defers a {@code read()} asked for while an exit channel delivers a read (inside
 * {@code channelRead} / {@code channelReadComplete}, where the relay asks for the next one) to a
 * task that runs once that read is over. With {@code AUTO_READ=false} on Netty 4.2's
 * edge-triggered epoll, such a nested request can be lost when the socket already holds the next
 * bytes, and the stream stalls; the gateway's customer sockets do the same
 * ({@code ProxyServerReadSchedulingHandler}). Only exit channels on an epoll loop need it: the
 * agent's own NIO loops are level-triggered. Last before the relay handler; not {@code @Sharable};
 * confined to the channel's event loop.
 */
final class ExitReadScheduling extends ChannelDuplexHandler {

    static final String NAME = "exit-read-scheduling";

    private boolean inRead;
    private boolean readRequested;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = true;
        try {
            ctx.fireChannelReadComplete();
        } finally {
            inRead = false;
        }
        if (readRequested) {
            readRequested = false;
            ctx.executor().execute(() -> {
                if (!inputShutdown(ctx)) {
                    ctx.read();
                }
            });
        }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (inputShutdown(ctx)) {
            return;
        }
        if (inRead) {
            readRequested = true;
        } else {
            ctx.read();
        }
    }

    /** After the peer's FIN (half-closure allowed) a read would fail the channel on epoll. */
    private static boolean inputShutdown(ChannelHandlerContext ctx) {
        return ctx.channel() instanceof DuplexChannel d && d.isInputShutdown();
    }
}
