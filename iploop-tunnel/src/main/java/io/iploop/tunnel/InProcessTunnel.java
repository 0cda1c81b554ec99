package io.iploop.tunnel;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import java.util.Objects;

/**
 * Where an agent running inside the gateway's own process (the server's local node) reaches the
 * node hub without a socket: a Netty {@code LocalChannel} connection to {@code address}, made on
 * {@code loop}, which is also the loop the hub serves it on. The tunnel protocol on it is exactly the
 * one a remote agent speaks (WebSocket handshake, HELLO, frames; docs/protocol.md); only the bytes
 * move as buffers handed from one pipeline to the other on one thread instead of through two
 * loopback sockets (docs/protocol.md#in-process-transport).
 *
 * @param address the hub's in-process listener
 * @param loop the event loop both ends of the connection run on; the agent's exit sockets too
 */
public record InProcessTunnel(LocalAddress address, EventLoop loop) {
    public InProcessTunnel {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(loop, "loop");
    }

    /**
     * Adds, on an in-process ({@code LocalChannel}) pipeline only, a first handler that completes
     * flushes Netty drops. Both ends share one loop, so a {@code LocalChannel} hands what it writes to
     * its peer's pipeline in the same call; if the peer answers at once and that answer leads back to
     * a write and flush on the first channel (WebSocket handshake response → HELLO, DATA → window
     * update → more DATA), that inner flush finds the channel still inside its own flush and returns
     * without writing, and nothing would write the message until some later flush. A local channel
     * writes everything it is asked to in one go, so a flushed message still queued after a flush
     * returns can only be such a message: the handler flushes again from a task.
     */
    static void guardFlushes(ChannelPipeline pipeline) {
        if (pipeline.channel() instanceof LocalChannel) {
            pipeline.addFirst("in-process-flush", FlushGuard.INSTANCE);
        }
    }

    @ChannelHandler.Sharable
    private static final class FlushGuard extends ChannelOutboundHandlerAdapter {
        static final FlushGuard INSTANCE = new FlushGuard();

        @Override
        public void flush(ChannelHandlerContext ctx) {
            ctx.flush();
            ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
            if (out != null && !out.isEmpty() && ctx.channel().isActive()) {
                ctx.channel().eventLoop().execute(ctx::flush);
            }
        }
    }
}
