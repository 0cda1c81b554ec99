package io.iploop.gateway.proxy;

import io.iploop.tunnel.ByteStreamRelay;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;

/**
 * Decides what a customer's FIN means. Customer channels run with {@code ALLOW_HALF_CLOSURE} so a
 * CONNECT / SOCKS5 tunnel can carry TCP half-close (docs/protocol.md §4.6): once the relay runs,
 * the FIN goes to it; while an exit is being opened it is held, and the relay finds the input
 * already shut down when it starts; at any other time (handshake, idle keep-alive connection) a
 * FIN ends the connection, as it did before half-close existed.
 *
 * <p>Pipeline position: right after the read scheduling handler, for the life of the connection.
 * Not {@code @Sharable}; confined to the channel's event loop.
 */
public final class ProxyServerHalfCloseHandler extends ChannelInboundHandlerAdapter {

    /** Name in the customer pipeline. */
    public static final String NAME = "half-close";

    private boolean exitOpening;

    /**
     * Marks whether an exit is being opened for {@code channel}, so a FIN meanwhile is held for
     * the tunnel instead of closing the connection. Call on the channel's event loop.
     */
    public static void exitOpening(Channel channel, boolean opening) {
        ProxyServerHalfCloseHandler h = channel.pipeline().get(ProxyServerHalfCloseHandler.class);
        if (h != null) {
            h.exitOpening = opening;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt == ChannelInputShutdownReadComplete.INSTANCE) {
            if (ctx.pipeline().get(ByteStreamRelay.HANDLER_NAME) != null) {
                ctx.fireUserEventTriggered(evt);
            } else if (!exitOpening) {
                ctx.close();
            }
            // While the exit opens the FIN is held: the relay sees the input already shut down.
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
