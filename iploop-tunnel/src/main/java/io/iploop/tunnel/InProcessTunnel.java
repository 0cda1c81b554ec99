package io.iploop.tunnel;

import io.iploop.tunnel.frame.TunnelFrame;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where an agent running inside the gateway's own process (the server's local node) reaches the
 * node hub without a socket: a Netty {@code LocalChannel} connection to {@code address}, made on
 * {@code loop}, which is also the loop the hub serves it on. The tunnel protocol on it is the one a
 * remote agent speaks (WebSocket handshake, HELLO, frames, windows; docs/protocol.md); only messages
 * are handed from one pipeline to the other on one thread instead of going through two loopback
 * sockets, and (unless {@code -D}{@value #OBJECT_FRAMES_PROPERTY}{@code =false}) a frame after the
 * handshake crosses as the {@link TunnelFrame} object, unencoded (docs/protocol.md#in-process-transport).
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
     * System property: {@code false} keeps frames on an in-process connection encoded as on a
     * socket; by default they cross as objects ({@link #passFrameObjects}). Read when a
     * connection's handshake completes.
     */
    static final String OBJECT_FRAMES_PROPERTY = "iploop.tunnel.in-process.object-frames";

    /** Whether {@code pipeline} belongs to an in-process ({@code LocalChannel}) connection. */
    static boolean isInProcess(ChannelPipeline pipeline) {
        return pipeline.channel() instanceof LocalChannel;
    }

    /**
     * Adds, on an in-process ({@code LocalChannel}) pipeline only, the first handler: it completes
     * flushes Netty drops, and once {@link #passFrameObjects} ran it hands received frames straight
     * to the session.
     *
     * <p>Dropped flushes: both ends share one loop, so a {@code LocalChannel} hands what it writes to
     * its peer's pipeline in the same call; if the peer answers at once and that answer leads back to
     * a write and flush on the first channel (WebSocket handshake response → HELLO, DATA → window
     * update → more DATA), that inner flush finds the channel still inside its own flush and returns
     * without writing, and nothing would write the message until some later flush. A local channel
     * writes everything it is asked to in one go, so a flushed message still queued after a flush
     * returns can only be such a message: the handler flushes again from a task.
     */
    static void addHead(ChannelPipeline pipeline) {
        if (isInProcess(pipeline)) {
            pipeline.addFirst(HEAD, new Head());
        }
    }

    /**
     * Called on both ends of an in-process connection when the WebSocket handshake completed, before
     * either sends a frame: from then on {@link TunnelFrame}s go from one session to the other as
     * objects, without the WebSocket and frame codecs (docs/protocol.md#in-process-transport). The
     * accepting end switches while the handshake response is handed over, the connecting end when it
     * has read it, so every frame after the handshake crosses as an object and each end expects
     * exactly that. Other messages (a WebSocket close frame with its reason) still pass the codecs.
     * Does nothing on other pipelines, or with {@code -D}{@value #OBJECT_FRAMES_PROPERTY}{@code =false}.
     *
     * @param session the context of the session handler, the last in the pipeline
     */
    static void passFrameObjects(ChannelPipeline pipeline, ChannelHandlerContext session) {
        if (!Boolean.parseBoolean(System.getProperty(OBJECT_FRAMES_PROPERTY, "true"))
                || !(pipeline.get(HEAD) instanceof Head head)) {
            return;
        }
        pipeline.addBefore(session.name(), BYPASS, new Bypass(pipeline.context(HEAD)));
        head.session = pipeline.context(BYPASS);
    }

    private static final String HEAD = "in-process";
    private static final String BYPASS = "in-process-frames";

    /** First handler of an in-process pipeline. One per channel; used on its loop only. */
    private static final class Head extends ChannelDuplexHandler {
        /** Context whose next inbound handler is the session; null until frames pass as objects. */
        private @Nullable ChannelHandlerContext session;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ChannelHandlerContext s = session;
            if (s != null && msg instanceof TunnelFrame) {
                s.fireChannelRead(msg);
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            ctx.flush();
            ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
            if (out != null && !out.isEmpty() && ctx.channel().isActive()) {
                ctx.channel().eventLoop().execute(ctx::flush);
            }
        }
    }

    /** Just before the session: its frames go to the channel unencoded. One per channel. */
    private static final class Bypass extends ChannelOutboundHandlerAdapter {
        private final ChannelHandlerContext head;

        Bypass(ChannelHandlerContext head) {
            this.head = head;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof TunnelFrame) {
                head.write(msg, promise);
            } else {
                ctx.write(msg, promise);
            }
        }
    }
}
