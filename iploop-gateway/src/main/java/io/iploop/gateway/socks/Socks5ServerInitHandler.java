package io.iploop.gateway.socks;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.limits.AccountLimiter;
import io.iploop.gateway.limits.Refusal;
import io.iploop.gateway.proxy.ProxyAuthentication;
import io.iploop.gateway.proxy.ProxyConnection;
import io.iploop.gateway.proxy.ProxyServices;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 1928 §3 method negotiation: username/password (RFC 1929, method 0x02) whenever the client
 * offers it (credentials win); else no authentication (0x00) when the client offers it and its
 * address is IP-authorised (docs/ip-authorised-access.md); else {@code 0xFF} (no acceptable
 * methods) and the connection closes. Malformed input closes the connection.
 *
 * <p>Pipeline position: last, after the initial-request decoder; replaces itself with
 * {@link Socks5ServerAuthHandler}, or for IP-authorised access with {@link Socks5ServerConnectHandler}. Not {@code @Sharable}.
 */
final class Socks5ServerInitHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Socks5ServerInitHandler.class);

    private final ProxyServices services;
    private final ProxyConnection connection;
    private boolean checking;
    private final List<ByteBuf> ahead = new ArrayList<>(1);

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
        if (checking && msg instanceof ByteBuf buf && ahead.size() < 16) {
            ahead.add(buf); // the client's next message, sent without waiting for our answer
            return;
        }
        if (checking || !(msg instanceof Socks5InitialRequest request) || request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (!request.authMethods().contains(Socks5AuthMethod.PASSWORD)) {
            if (request.authMethods().contains(Socks5AuthMethod.NO_AUTH)) {
                checkAddress(ctx);
                return;
            }
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

    /**
     * No-authentication (0x00) offered without username/password: served only when the client's
     * address is IP-authorised (docs/ip-authorised-access.md); else {@code 0xFF} and close. An
     * authorised account refused for another reason (balance, a plan limit, its default targeting)
     * gets the matching reply code on its CONNECT, as after RFC 1929.
     */
    private void checkAddress(ChannelHandlerContext ctx) {
        checking = true;
        ProxyAuthentication.authenticateAddress(services, connection.clientAddress(), null)
                .whenComplete((outcome, failure) -> {
                    try {
                        ctx.executor().execute(() -> onAddressOutcome(ctx, outcome));
                    } catch (RejectedExecutionException e) {
                        ctx.channel().close();
                    }
                });
    }

    private void onAddressOutcome(ChannelHandlerContext ctx, ProxyAuthentication.Outcome outcome) {
        if (!ctx.channel().isActive()) {
            return;
        }
        ProxyError error = outcome.error();
        if (outcome.principal() == null) {
            services.metrics().error(error == null ? ProxyError.INTERNAL_ERROR : error);
            ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        connection.authenticated(outcome.principal(), outcome.targeting(), null);
        String detail = outcome.detail();
        AccountLimiter limiter = outcome.limiter();
        if (error == null && limiter != null) {
            Refusal refusal = ProxyAuthentication.admit(services, ctx.channel(), connection, limiter, null,
                    outcome.targeting());
            if (refusal != null) {
                error = refusal.error();
                detail = refusal.detail();
            }
        }
        ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.NO_AUTH)).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                f.channel().read();
            } else {
                f.channel().close();
            }
        });
        List<ByteBuf> held = new ArrayList<>(ahead);
        ahead.clear();
        ChannelPipeline p = ctx.pipeline();
        p.replace(this, Socks5ProxyServerInitializer.HANDLER, new Socks5ServerConnectHandler(services, connection, error, detail));
        p.replace(Socks5ProxyServerInitializer.DECODER, Socks5ProxyServerInitializer.DECODER, new Socks5CommandRequestDecoder());
        ChannelHandlerContext beforeDecoder = p.context(Socks5ProxyServerInitializer.ENCODER);
        for (ByteBuf b : held) {
            beforeDecoder.fireChannelRead(b);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        for (ByteBuf b : ahead) {
            b.release();
        }
        ahead.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("SOCKS5 negotiation failed: {}", cause.toString());
        ctx.close();
    }
}
