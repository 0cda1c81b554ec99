package io.iploop.gateway.socks;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.limits.AccountLimiter;
import io.iploop.gateway.limits.Refusal;
import io.iploop.gateway.proxy.ProxyAuthentication;
import io.iploop.gateway.proxy.ProxyConnection;
import io.iploop.gateway.proxy.ProxyServices;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 1929 username/password check with the same credentials as the HTTP proxy
 * (docs/product/proxy.md#credentials).
 * Bad or missing credentials: status {@code 0xFF} (any non-zero is a failure) and close (RFC 1929 §2). A known customer
 * refused for another reason (IP whitelist, balance, invalid targeting, a plan limit) passes this step and
 * gets the matching RFC 1928 reply code on its CONNECT, so the refusal is visible in its usage.
 *
 * <p>Pipeline position: last; replaces itself with {@link Socks5ServerConnectHandler}. Not
 * {@code @Sharable}.
 */
final class Socks5ServerAuthHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Socks5ServerAuthHandler.class);

    private final ProxyServices services;
    private final ProxyConnection connection;
    private boolean checking;
    private final List<ByteBuf> ahead = new ArrayList<>(1);

    public Socks5ServerAuthHandler(ProxyServices services, ProxyConnection connection) {
        this.services = services;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (checking && msg instanceof ByteBuf buf && ahead.size() < 16) {
            ahead.add(buf); // the client's next message, sent without waiting for our answer
            return;
        }
        if (checking || !(msg instanceof Socks5PasswordAuthRequest request) || request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        checking = true;
        ProxyAuthentication.authenticate(services, request.username(), request.password(), connection.clientAddress())
                .whenComplete((outcome, failure) -> {
                    try {
                        ctx.executor().execute(() -> onOutcome(ctx, outcome));
                    } catch (RejectedExecutionException e) {
                        ctx.channel().close();
                    }
                });
    }

    private void onOutcome(ChannelHandlerContext ctx, ProxyAuthentication.Outcome outcome) {
        if (!ctx.channel().isActive()) {
            return;
        }
        ProxyError error = outcome.error();
        if (outcome.principal() == null) {
            ProxyError e = error == null ? ProxyError.INTERNAL_ERROR : error;
            services.metrics().error(e);
            ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        connection.authenticated(outcome.principal(), outcome.targeting(), outcome.apiKeySha256Hex());
        String detail = outcome.detail();
        AccountLimiter limiter = outcome.limiter();
        if (error == null && limiter != null) {
            Refusal refusal = ProxyAuthentication.admit(services, ctx.channel(), connection, limiter,
                    outcome.subLimiter(), outcome.targeting());
            if (refusal != null) {
                error = refusal.error();
                detail = refusal.detail();
            }
        }
        ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS))
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        f.channel().read();
                    } else {
                        f.channel().close();
                    }
                });
        List<ByteBuf> held = new ArrayList<>(ahead);
        ahead.clear();
        ChannelPipeline p = ctx.pipeline();
        p.replace(this, Socks5ProxyServerInitializer.HANDLER,
                new Socks5ServerConnectHandler(services, connection, error, detail));
        p.replace(Socks5ProxyServerInitializer.DECODER, Socks5ProxyServerInitializer.DECODER, new Socks5CommandRequestDecoder());
        // Feed bytes that arrived during the check into the command decoder (the encoder sits just before it).
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
        log.debug("SOCKS5 authentication failed: {}", cause.toString());
        ctx.close();
    }
}
