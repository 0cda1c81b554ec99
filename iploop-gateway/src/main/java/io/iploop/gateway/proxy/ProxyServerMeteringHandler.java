package io.iploop.gateway.proxy;

import io.iploop.gateway.metering.GatewayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * Counts the bytes read from and written to a customer socket (DESIGN §5: metered at the
 * customer-facing socket, protocol overhead included). First in every customer pipeline, never
 * removed. Written bytes count once the write succeeded. Not {@code @Sharable}: it holds the
 * connection.
 */
public final class ProxyServerMeteringHandler extends ChannelDuplexHandler {

    private final ProxyConnection connection;
    private final GatewayMetrics metrics;

    public ProxyServerMeteringHandler(ProxyConnection connection, GatewayMetrics metrics) {
        this.connection = connection;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long n = size(msg);
        if (n > 0) {
            connection.addRead(n);
            metrics.bytesUp(n);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long n = size(msg);
        if (n > 0) {
            ChannelPromise p = promise.unvoid();
            p.addListener(f -> {
                if (f.isSuccess()) {
                    connection.addWritten(n);
                    metrics.bytesDown(n);
                }
            });
            ctx.write(msg, p);
        } else {
            ctx.write(msg, promise);
        }
    }

    private static long size(Object msg) {
        if (msg instanceof ByteBuf b) {
            return b.readableBytes();
        }
        if (msg instanceof ByteBufHolder h) {
            return h.content().readableBytes();
        }
        return 0;
    }
}
