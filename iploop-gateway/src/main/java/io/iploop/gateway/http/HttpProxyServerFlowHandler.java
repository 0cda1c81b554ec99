package io.iploop.gateway.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Hands decoded HTTP messages on one per {@code read()} ({@code AUTO_READ=false}), so each stage
 * after it sees the next message only when it asked for it. Unlike Netty's
 * {@code FlowControlHandler}, a request for a message stays pending across socket reads that
 * decode nothing (a header section arriving in pieces).
 *
 * <p>Pipeline position: right after the HTTP codec; removed by
 * {@link HttpProxyServerConnectHandler} (queued messages are handed on first). Not
 * {@code @Sharable}; confined to the channel's event loop.
 */
final class HttpProxyServerFlowHandler extends ChannelDuplexHandler {

    private final ArrayDeque<Object> queue = new ArrayDeque<>(4);
    private boolean demand;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        queue.add(msg);
        if (msg instanceof HttpRequest request && HttpMethod.CONNECT.equals(request.method())
                && request.decoderResult().isSuccess()
                && ctx.pipeline().get(HttpProxyServerInitializer.CODEC) instanceof HttpServerCodec) {
            // Bytes after a CONNECT belong to the tunnel (a client may send them before our 200):
            // stop decoding HTTP, keep encoding our answer. The decoder hands its leftover bytes on
            // as a raw buffer, queued here after the CONNECT.
            ctx.pipeline().replace(HttpProxyServerInitializer.CODEC, HttpProxyServerInitializer.CODEC, new HttpResponseEncoder());
        }
        deliver(ctx);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        demand = true;
        if (!deliver(ctx)) {
            ctx.read();
        }
    }

    private boolean deliver(ChannelHandlerContext ctx) {
        if (!demand || queue.isEmpty()) {
            return false;
        }
        demand = false;
        ctx.fireChannelRead(queue.poll());
        if (queue.isEmpty()) {
            ctx.fireChannelReadComplete();
        }
        return true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (queue.isEmpty()) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            for (Object msg; (msg = queue.poll()) != null; ) {
                ctx.fireChannelRead(msg);
            }
        }
        releaseAll();
    }

    private void releaseAll() {
        for (Object msg; (msg = queue.poll()) != null; ) {
            ReferenceCountUtil.release(msg);
        }
    }
}
