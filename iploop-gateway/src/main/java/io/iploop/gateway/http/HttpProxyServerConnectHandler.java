package io.iploop.gateway.http;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.error.ProxyErrorResponses;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.gateway.proxy.MeteredStream;
import io.iploop.gateway.proxy.ProxyConnection;
import io.iploop.gateway.proxy.ProxyServices;
import io.iploop.gateway.proxy.ProxyTunnels;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
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
final class HttpProxyServerConnectHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(HttpProxyServerConnectHandler.class);
    private static final HttpResponseStatus CONNECTION_ESTABLISHED = new HttpResponseStatus(200, "Connection established");

    private final ProxyServices services;
    private final ProxyConnection connection;
    private final List<ByteBuf> early = new ArrayList<>(2);
    private boolean started;

    HttpProxyServerConnectHandler(ProxyServices services, ProxyConnection connection) {
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
        HttpProxyTarget target = HttpProxyTarget.of(request);
        MeteredStream metered = MeteredStream.startingNow(connection, target.host(), target.port());
        ProxyTunnels.openExit(services, ctx,
                new ExitRequest(principal, metered.targeting(), target.host(), target.port(), connection.id()),
                (stream, failure) -> onOpened(ctx, metered, stream, failure));
    }

    private void onOpened(ChannelHandlerContext ctx, MeteredStream metered, @Nullable ExitStream stream,
            @Nullable Throwable failure) {
        if (stream == null) {
            ProxyError error = ProxyTunnels.errorOf(failure);
            ExitException ee = ProxyTunnels.exitException(failure);
            if (ee == null) {
                log.warn("exit connector failed unexpectedly", failure);
            }
            String detail = ee != null && ee.getMessage() != null ? ee.getMessage() : "the exit could not be opened";
            List<String> alternatives = ee == null ? List.of() : ee.alternatives();
            ProxyTunnels.refuse(services, ctx, metered, error,
                    ProxyErrorResponses.http(ctx.alloc(), error, detail, alternatives, null));
            return;
        }
        FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, CONNECTION_ESTABLISHED, Unpooled.EMPTY_BUFFER);
        if (metered.targeting().debug()) {
            HttpProxyHeaders.addDebug(ok.headers(), stream.exit());
        }
        ProxyTunnels.established(services, ctx, this, metered, stream, ok, List.of(HttpProxyServerInitializer.CODEC,
                HttpProxyServerInitializer.FLOW, HttpProxyServerInitializer.AUTH, HttpProxyServerInitializer.FORWARD), early);
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
