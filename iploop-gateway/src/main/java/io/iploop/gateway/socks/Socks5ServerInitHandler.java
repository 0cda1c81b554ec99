package io.iploop.gateway.socks;

import io.iploop.gateway.proxy.ProxyConnection;
import io.iploop.gateway.proxy.ProxyServices;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 1928 §3 method negotiation: only username/password (RFC 1929, method 0x02) is offered; a
 * client that does not offer it gets {@code 0xFF} (no acceptable methods) and the connection
 * closes. Malformed input closes the connection.
 *
 * <p>Pipeline position: last, after the initial-request decoder; replaces itself with
 * {@link Socks5ServerAuthHandler}. Not {@code @Sharable}.
 */
final class Socks5ServerInitHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Socks5ServerInitHandler.class);

    private final ProxyServices services;
    private final ProxyConnection connection;

    public Socks5ServerInitHandler(ProxyServices services, ProxyConnection connection) {
        this.services = services;
        this.connection = connection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Socks5InitialRequest request) || request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (!request.authMethods().contains(Socks5AuthMethod.PASSWORD)) {
            ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        // Answer first, then swap: bytes the client sent ahead flow from the old decoder into the
        // new one (ChannelPipeline.replace forwards them) and on to the auth handler.
        ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.PASSWORD)).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                f.channel().read();
            } else {
                f.channel().close();
            }
        });
        ctx.pipeline().replace(this, Socks5ProxyServerInitializer.HANDLER, new Socks5ServerAuthHandler(services, connection));
        ctx.pipeline().replace(Socks5ProxyServerInitializer.DECODER, Socks5ProxyServerInitializer.DECODER,
                new Socks5PasswordAuthRequestDecoder());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("SOCKS5 negotiation failed: {}", cause.toString());
        ctx.close();
    }
}
