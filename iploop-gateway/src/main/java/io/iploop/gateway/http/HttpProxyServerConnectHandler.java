package io.iploop.gateway.http;

import io.iploop.gateway.auth.Targeting;
import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.error.ProxyErrorResponses;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.gateway.proxy.ProxyConnection;
import io.iploop.gateway.proxy.ProxyServices;
import io.iploop.gateway.proxy.ProxyTunnels;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles {@code CONNECT host:port}: opens an exit stream, answers
 * {@code 200 Connection established} (with the {@code -debug-1} headers), then removes the HTTP
 * handlers (itself included) and relays raw bytes with
 * {@link io.iploop.tunnel.ByteStreamRelay}. An exit failure is answered with its
 * {@link ProxyError} and the connection closes.
 *
 * <p>Pipeline position: last. Removes itself. Not {@code @Sharable}.
 */
public final class HttpProxyServerConnectHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpProxyServerConnectHandler.class);
    private static final HttpResponseStatus CONNECTION_ESTABLISHED = new HttpResponseStatus(200, "Connection established");

    private final ProxyServices services;
    private final ProxyConnection connection;
    private final List<ByteBuf> early = new ArrayList<>(2);
    private boolean started;

    public HttpProxyServerConnectHandler(ProxyServices services, ProxyConnection connection) {
        this.services = services;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && HttpMethod.CONNECT.equals(request.method()) && !started) {
            started = true;
            onConnect(ctx, request);
        } else if (msg instanceof ByteBuf buf && started) {
            early.add(buf); // bytes the decoder held when it was removed
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onConnect(ChannelHandlerContext ctx, HttpRequest request) {
        CustomerPrincipal principal = connection.principal();
        if (principal == null) {
            ctx.close();
            return;
        }
        Targeting targeting = connection.targeting();
        HttpProxyTarget target = HttpProxyTarget.of(request);
        Instant startedAt = Instant.now();
        ProxyTunnels.openExit(services, ctx, new ExitRequest(principal, targeting, target.host(), target.port(), connection.id()),
                (stream, failure) -> onOpened(ctx, principal, targeting, target, startedAt, stream, failure));
    }

    private void onOpened(
            ChannelHandlerContext ctx,
            CustomerPrincipal principal,
            Targeting targeting,
            HttpProxyTarget target,
            Instant startedAt,
            @Nullable ExitStream stream,
            @Nullable Throwable failure) {
        if (stream == null) {
            ProxyError error = ProxyTunnels.errorOf(failure);
            ExitException ee = ProxyTunnels.exitException(failure);
            if (ee == null) {
                log.warn("exit connector failed unexpectedly", failure);
            }
            services.metrics().error(error);
            String detail = ee != null && ee.getMessage() != null ? ee.getMessage() : "the exit could not be opened";
            List<String> alternatives = ee == null ? List.of() : ee.alternatives();
            ctx.writeAndFlush(ProxyErrorResponses.http(ctx.alloc(), error, detail, alternatives, null))
                    .addListener((ChannelFutureListener) f -> {
                        services.recordUsage(connection, principal, targeting, target.host(), 1, null, error, startedAt);
                        f.channel().close();
                    });
            return;
        }
        if (!ctx.channel().isActive()) {
            stream.close();
            services.recordUsage(connection, principal, targeting, target.host(), 1, stream.exit(), null, startedAt);
            return;
        }
        FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, CONNECTION_ESTABLISHED, Unpooled.EMPTY_BUFFER);
        if (targeting.debug()) {
            HttpProxyHeaders.addDebug(ok.headers(), stream.exit());
        }
        ctx.writeAndFlush(ok).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                stream.abort("customer connection closed");
                services.recordUsage(connection, principal, targeting, target.host(), 1, stream.exit(), null, startedAt);
                f.channel().close();
                return;
            }
            ChannelPipeline p = ctx.pipeline();
            // Removing the codec and the flow control hands any bytes they hold to this handler.
            for (String name : List.of(HttpProxyServerInitializer.CODEC, HttpProxyServerInitializer.FLOW,
                    HttpProxyServerInitializer.AUTH, HttpProxyServerInitializer.FORWARD)) {
                if (p.get(name) != null) {
                    p.remove(name);
                }
            }
            List<ByteBuf> held = new ArrayList<>(early);
            early.clear();
            p.remove(this);
            ProxyTunnels.start(services, connection, ctx.channel(), stream, held, principal, targeting, target.host(), startedAt);
        });
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // Bytes not handed to a relay (connection closed first) must not leak.
        for (ByteBuf b : early) {
            b.release();
        }
        early.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("CONNECT failed", cause);
        ctx.close();
    }
}
