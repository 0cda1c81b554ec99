package io.iploop.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * Relays bytes between a Netty {@link Channel} (a customer or origin socket) and a
 * {@link ByteStream}, with back-pressure both ways: the channel is read only while the stream is
 * writable, and received stream data is acknowledged only once the channel has written it (so a
 * slow socket holds at most one receive window). The channel must have {@code AUTO_READ=false}.
 *
 * <p>TCP half-close is carried both ways (docs/protocol.md §4.6): the relay turns on
 * {@code ALLOW_HALF_CLOSURE}, turns the channel's end of input into
 * {@link ByteStream#shutdownOutput()} (after every byte read before it) and the stream's
 * {@link ByteStream.Handler#onInputShutdown} into {@code shutdownOutput()} of the socket (after
 * every byte written before it; over TLS a {@code close_notify} first, through the channel's
 * {@link SslHandler}). Once either direction has ended, the relay ends the whole
 * connection with an error if no byte moves in the other direction for the half-closed idle
 * timeout. A full close or error on either side closes the other after pending data is flushed.
 */
public final class ByteStreamRelay {

    /** Observes a relay, e.g. to meter it. Callbacks may run on either side's thread. */
    public interface Listener {
        /** The relay ended; {@code error} is null for a clean close by either side. */
        void onRelayClosed(@Nullable String error);
    }

    /** Name of the relay's handler in the channel's pipeline. */
    public static final String HANDLER_NAME = "byte-stream-relay";

    /**
     * Default for how long a half-closed relay may go without a byte in its open direction before
     * it is ended (docs/protocol.md §4.6).
     */
    public static final Duration DEFAULT_HALF_CLOSED_IDLE_TIMEOUT = Duration.ofSeconds(60);

    private ByteStreamRelay() {}

    /**
     * Starts relaying with {@link #DEFAULT_HALF_CLOSED_IDLE_TIMEOUT}; takes ownership of both ends
     * (closing one closes the other).
     */
    public static void relay(Channel channel, ByteStream stream, @Nullable Listener listener) {
        relay(channel, stream, listener, DEFAULT_HALF_CLOSED_IDLE_TIMEOUT);
    }

    /**
     * Starts relaying; takes ownership of both ends (closing one closes the other). If the
     * channel's input already ended (the peer's FIN was read before the relay started), the
     * stream's output is shut down right away, after whatever was written to it before.
     *
     * @param halfClosedIdleTimeout once one direction has ended, the longest time without a byte
     *     in the other before both are ended with an error; positive
     * @throws IllegalArgumentException if the channel reads automatically or the timeout is not positive
     */
    public static void relay(Channel channel, ByteStream stream, @Nullable Listener listener, Duration halfClosedIdleTimeout) {
        if (channel.config().isAutoRead()) {
            throw new IllegalArgumentException("channel: AUTO_READ is on (expected: off, reads follow stream credit)");
        }
        if (halfClosedIdleTimeout.isNegative() || halfClosedIdleTimeout.isZero()) {
            throw new IllegalArgumentException("halfClosedIdleTimeout: " + halfClosedIdleTimeout + " (expected: > 0)");
        }
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        RelayHandler handler = new RelayHandler(channel, stream, listener, halfClosedIdleTimeout.toNanos());
        channel.pipeline().addLast(HANDLER_NAME, handler);
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
        if (channel instanceof DuplexChannel d && d.isInputShutdown()) {
            handler.inputEnded();
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
        private final long halfClosedIdleNanos;
        private volatile boolean readPending;
        // Half-close state, written on the channel's event loop (activity also on the stream's).
        private volatile boolean inputEnded;
        private boolean outputEnded;
        private volatile long lastActivityNanos;
        private @Nullable ScheduledFuture<?> idleTimer;
        /** Whether the stream ends every burst of data with onDataBurstEnd, so writes may wait for it. */
        private final boolean batchFlushes;
        /** Written in onData and not yet flushed; on the channel's event loop only. */
        private boolean unflushed;

        RelayHandler(Channel channel, ByteStream stream, @Nullable Listener listener, long halfClosedIdleNanos) {
            this.channel = channel;
            this.stream = stream;
            this.batchFlushes = stream.signalsDataBurstEnd();
            this.listener = listener;
            this.halfClosedIdleNanos = halfClosedIdleNanos;
        }

        // ---- channel → stream

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                lastActivityNanos = System.nanoTime();
                stream.write(buf);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                inputEnded();
            } else if (evt != ChannelInputShutdownReadComplete.INSTANCE) {
                ctx.fireUserEventTriggered(evt);
            }
        }

        /**
         * Reads unless the input has ended: on Netty's epoll transport a read requested after the
         * input shut down fails the channel (the socket is no longer registered for input).
         */
        private void read() {
            if (!inputEnded && !(channel instanceof DuplexChannel d && d.isInputShutdown())) {
                channel.read();
            }
        }

        /** The channel's peer sent FIN: pass it on after the bytes read before it. Event loop. */
        void inputEnded() {
            if (inputEnded) {
                return;
            }
            inputEnded = true;
            readPending = false;
            stream.shutdownOutput();
            startIdleTimer();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (inputEnded) {
                return;
            }
            if (stream.isWritable()) {
                read();
            } else {
                readPending = true;
                // Credit may have arrived between the check and the flag.
                if (stream.isWritable() && readPending) {
                    readPending = false;
                    read();
                }
            }
        }

        @Override
        public void onWritabilityChanged(ByteStream s) {
            if (s.isWritable() && readPending && !inputEnded) {
                readPending = false;
                read();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancelIdleTimer();
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
            lastActivityNanos = System.nanoTime();
            int n = data.readableBytes();
            ChannelFutureListener written = f -> {
                if (f.isSuccess()) {
                    s.ack(n);
                } else {
                    s.abort("write failed: " + f.cause().getMessage());
                    channel.close();
                }
            };
            if (batchFlushes && channel.eventLoop().inEventLoop()) {
                // The stream announces the end of this burst (onDataBurstEnd): one flush, one
                // system call, for all the chunks one read of the tunnel carried.
                channel.write(data).addListener(written);
                unflushed = true;
            } else {
                channel.writeAndFlush(data).addListener(written);
            }
        }

        @Override
        public void onDataBurstEnd(ByteStream s) {
            if (unflushed && channel.eventLoop().inEventLoop()) {
                unflushed = false;
                channel.flush();
            }
        }

        /** The stream's peer sent FIN: shut the socket's output down after the bytes written before it. */
        @Override
        public void onInputShutdown(ByteStream s) {
            onLoop(() -> {
                if (outputEnded) {
                    return;
                }
                outputEnded = true;
                if (!(channel instanceof DuplexChannel duplex)) {
                    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                // Writes complete in order: once this empty one is done, every byte before it is out.
                channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        return;
                    }
                    SslHandler tls = channel.pipeline().get(SslHandler.class);
                    if (tls == null) {
                        duplex.shutdownOutput();
                    } else {
                        // Over TLS the end of a direction is close_notify, then the FIN: a FIN alone
                        // reads as a truncation attack to the peer (RFC 8446 §6.1), which would then
                        // discard or distrust the answer it already has (docs/tls.md#half-close).
                        tls.closeOutbound().addListener((ChannelFutureListener) sent -> {
                            if (sent.isSuccess()) {
                                duplex.shutdownOutput();
                            }
                        });
                    }
                });
                startIdleTimer();
            });
        }

        @Override
        public void onClosed(ByteStream s, @Nullable String error) {
            onLoop(this::cancelIdleTimer);
            finish(error);
            if (channel.isActive()) {
                channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void onLoop(Runnable task) {
            if (channel.eventLoop().inEventLoop()) {
                task.run();
            } else {
                channel.eventLoop().execute(task);
            }
        }

        /** One direction has ended: the other must keep moving bytes or the relay ends. Event loop. */
        private void startIdleTimer() {
            if (idleTimer != null || !channel.isOpen()) {
                return;
            }
            lastActivityNanos = System.nanoTime();
            idleTimer = channel.eventLoop().schedule(this::checkIdle, halfClosedIdleNanos, TimeUnit.NANOSECONDS);
        }

        private void checkIdle() {
            idleTimer = null;
            if (!channel.isOpen()) {
                return;
            }
            long idle = System.nanoTime() - lastActivityNanos;
            if (idle < halfClosedIdleNanos) {
                idleTimer = channel.eventLoop().schedule(this::checkIdle, halfClosedIdleNanos - idle, TimeUnit.NANOSECONDS);
                return;
            }
            String error = "half-closed and idle for " + TimeUnit.NANOSECONDS.toMillis(halfClosedIdleNanos) + " ms";
            stream.abort(error);
            finish(error);
            channel.close();
        }

        private void cancelIdleTimer() {
            ScheduledFuture<?> t = idleTimer;
            if (t != null) {
                t.cancel(false);
                idleTimer = null;
            }
        }

        void finish(@Nullable String error) {
            if (finished.compareAndSet(false, true) && listener != null) {
                listener.onRelayClosed(error);
            }
        }
    }
}
