package io.iploop.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Relays bytes between a Netty {@link Channel} (a customer or origin socket) and a
 * {@link ByteStream}, with back-pressure both ways: the channel is read only while the stream is
 * writable, and received stream data is acknowledged only once the channel has written it (so a
 * slow socket holds at most one receive window). The channel must have {@code AUTO_READ=false}.
 * Either side closing closes the other after pending data is flushed.
 */
public final class ByteStreamRelay {

    /** Observes a relay, e.g. to meter it. Callbacks may run on either side's thread. */
    public interface Listener {
        /** The relay ended; {@code error} is null for a clean close by either side. */
        void onRelayClosed(@Nullable String error);
    }

    private ByteStreamRelay() {}

    /** Starts relaying; takes ownership of both ends (closing one closes the other). */
    public static void relay(Channel channel, ByteStream stream, @Nullable Listener listener) {
        if (channel.config().isAutoRead()) {
            throw new IllegalArgumentException("channel: AUTO_READ is on (expected: off, reads follow stream credit)");
        }
        RelayHandler handler = new RelayHandler(channel, stream, listener);
        channel.pipeline().addLast("byte-stream-relay", handler);
        stream.setHandler(handler);
        if (!channel.isActive()) {
            handler.finish("connection closed before relaying");
            stream.abort("connection closed");
            return;
        }
        if (!stream.isOpen()) {
            channel.close();
            return;
        }
        channel.read();
    }

    /**
     * The channel side of one relay: last in the channel's pipeline, removed with the channel.
     * Stateful, never shared.
     */
    private static final class RelayHandler extends ChannelInboundHandlerAdapter implements ByteStream.Handler {
        private final Channel channel;
        private final ByteStream stream;
        private final @Nullable Listener listener;
        private final AtomicBoolean finished = new AtomicBoolean();
        private volatile boolean readPending;

        RelayHandler(Channel channel, ByteStream stream, @Nullable Listener listener) {
            this.channel = channel;
            this.stream = stream;
            this.listener = listener;
        }

        // ---- channel → stream

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                stream.write(buf);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (stream.isWritable()) {
                ctx.read();
            } else {
                readPending = true;
                // Credit may have arrived between the check and the flag.
                if (stream.isWritable() && readPending) {
                    readPending = false;
                    ctx.read();
                }
            }
        }

        @Override
        public void onWritabilityChanged(ByteStream s) {
            if (s.isWritable() && readPending) {
                readPending = false;
                channel.read();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stream.close();
            finish(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            String error = cause.getClass().getSimpleName() + ": " + cause.getMessage();
            stream.abort(error);
            finish(error);
            ctx.close();
        }

        // ---- stream → channel

        @Override
        public void onData(ByteStream s, ByteBuf data) {
            int n = data.readableBytes();
            channel.writeAndFlush(data).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    s.ack(n);
                } else {
                    s.abort("write failed: " + f.cause().getMessage());
                    channel.close();
                }
            });
        }

        @Override
        public void onClosed(ByteStream s, @Nullable String error) {
            finish(error);
            if (channel.isActive()) {
                channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        void finish(@Nullable String error) {
            if (finished.compareAndSet(false, true) && listener != null) {
                listener.onRelayClosed(error);
            }
        }
    }
}
