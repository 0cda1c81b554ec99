package io.iploop.gateway.http;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.error.ProxyErrorResponses;
import io.iploop.gateway.metering.GatewayMetrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The request-head deadline against slowloris clients: a request head must be decoded within
 * {@code timeoutMillis} of accept, or, on a keep-alive connection, of the first bytes read after
 * the previous request was complete. Unlike an idle timer it does not restart on every byte.
 * When it passes, the client gets {@code 408} with {@code X-IPLoop-Error: request_timeout} and
 * {@code Proxy-Status}, and the connection closes. A CONNECT head ends it for good.
 *
 * <p>Pipeline position: right after the HTTP codec, so it sees requests as soon as they are
 * decoded (before the flow handler queues them). Not {@code @Sharable}; confined to the
 * channel's event loop.
 */
final class HttpProxyServerHeadDeadlineHandler extends ChannelInboundHandlerAdapter {

    private enum State {
        /** Waiting for a head; the timer runs. */
        HEAD_DUE,
        /** A head arrived; its body (if any) is being read. */
        IN_REQUEST,
        /** The request was complete during the current read; the next read starts the timer. */
        REQUEST_DONE,
        /** Between requests: the first bytes of the next head start the timer. */
        IDLE,
        /** A CONNECT tunnel: no more heads. */
        DONE
    }

    private final long timeoutMillis;
    private final GatewayMetrics metrics;
    private State state = State.HEAD_DUE;
    private @Nullable ScheduledFuture<?> timer;

    /** @param timeoutMillis how long a request head may take, in ms, > 0 */
    HttpProxyServerHeadDeadlineHandler(long timeoutMillis, GatewayMetrics metrics) {
        this.timeoutMillis = timeoutMillis;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            arm(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && state != State.DONE) {
            cancel();
            state = HttpMethod.CONNECT.equals(request.method()) ? State.DONE : State.IN_REQUEST;
        }
        if (msg instanceof LastHttpContent && state == State.IN_REQUEST) {
            state = State.REQUEST_DONE;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.REQUEST_DONE) {
            state = State.IDLE;
        } else if (state == State.IDLE) {
            state = State.HEAD_DUE;
            arm(ctx);
        }
        ctx.fireChannelReadComplete();
    }

    private void arm(ChannelHandlerContext ctx) {
        if (state != State.HEAD_DUE || timer != null) {
            return;
        }
        timer = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (state != State.HEAD_DUE || !ctx.channel().isActive()) {
            return;
        }
        state = State.DONE;
        metrics.error(ProxyError.REQUEST_TIMEOUT);
        ctx.channel().writeAndFlush(ProxyErrorResponses.http(ctx.alloc(), ProxyError.REQUEST_TIMEOUT,
                        "the request head was not complete within " + timeoutMillis + " ms", List.of(), null))
                .addListener(ChannelFutureListener.CLOSE);
    }

    private void cancel() {
        ScheduledFuture<?> t = timer;
        timer = null;
        if (t != null) {
            t.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }
}
