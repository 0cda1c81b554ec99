package io.iploop.tunnel;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;

/**
 * Drops a {@code read()} asked for once the peer's FIN was read (half-closure allowed): on the epoll
 * transport such a read fails the channel, and there is nothing left to read anyway. Every other
 * {@code read()} passes straight on, also one asked for inside {@code channelRead} /
 * {@code channelReadComplete}, where a relay asks for the next chunk: Netty 4.2 registers sockets
 * level-triggered, so a read requested there keeps the socket's read interest and the next epoll
 * wait reports whatever is queued. (Deferring it to a task, as this handler once did for
 * edge-triggered epoll, cost two {@code epoll_ctl} calls per read: read interest cleared after the
 * read, set again by the task; iploop-bench/PROFILE.md, round 8.) Used on the gateway's customer
 * sockets and on the node agent's exit sockets.
 *
 * <p>Pipeline position: before the handler that relays the bytes, for the life of the connection.
 * Stateless and {@code @Sharable}.
 */
@io.netty.channel.ChannelHandler.Sharable
public final class ReadAfterFinGuard extends ChannelOutboundHandlerAdapter {

    /** The one instance; the handler keeps no state. */
    public static final ReadAfterFinGuard INSTANCE = new ReadAfterFinGuard();

    private ReadAfterFinGuard() {}

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof DuplexChannel d && d.isInputShutdown()) {
            return;
        }
        ctx.read();
    }
}
