package io.iploop.tunnel;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;

/**
 * Defers a {@code read()} requested while the channel is delivering a read (inside
 * {@code channelRead} / {@code channelReadComplete}, where a relay asks for the next one) until that
 * read is over. With {@code AUTO_READ=false} on Netty 4.2's edge-triggered epoll, such a nested
 * request can be lost when the socket already holds the next bytes, and the stream stalls;
 * re-issuing it from a fresh event-loop task re-arms the interest and is always honoured. Used on
 * the gateway's customer sockets and on the node agent's exit sockets when they run on epoll (NIO
 * loops are level-triggered and do not need it).
 *
 * <p>Pipeline position: before the handler that relays the bytes, for the life of the connection.
 * Not {@code @Sharable}; confined to the channel's event loop.
 */
public final class DeferredReadScheduling extends ChannelDuplexHandler {

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

    /**
     * True once the peer's FIN was read (half-closure allowed): a read then would fail the channel
     * on the epoll transport, and there is nothing left to read anyway.
     */
    private static boolean inputShutdown(ChannelHandlerContext ctx) {
        return ctx.channel() instanceof DuplexChannel d && d.isInputShutdown();
    }
}
