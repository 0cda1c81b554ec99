package io.iploop.gateway.exit.direct;

import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * An {@link ExitStream} backed by a Netty channel to the target ({@code AUTO_READ=false}).
 * Writes go to the channel; {@link #isWritable()} is the channel's writability. Bytes read from
 * the target go to the handler and the channel is read again only while fewer than
 * {@value #READ_AHEAD_BYTES} bytes are unacknowledged, so a slow consumer stops the reads.
 *
 * <p>TCP half-close (docs/protocol.md §4.6): {@link #shutdownOutput()} shuts the target socket's
 * output down after the bytes written before it, the target's FIN reaches the handler as
 * {@link Handler#onInputShutdown} after its data, and the channel closes once both directions
 * have ended. The channel must allow half-closure.
 *
 * <p>Pipeline position: the channel's only handler. Thread-safe: every method may be called from
 * any thread; state is confined to the channel's event loop and handler callbacks run there.
 */
public final class ChannelExitStream extends ChannelInboundHandlerAdapter implements ExitStream {

    /** Most bytes handed to the handler and not yet acknowledged before reads stop. */
    static final int READ_AHEAD_BYTES = 256 * 1024;

    private final Channel channel;
    private final ExitInfo exit;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
    private @Nullable Handler handler;
    private long unacked;
    private boolean peerClosed;
    private @Nullable String closeError;
    private boolean closeNotified;
    private boolean inputShutdown;
    private boolean inputShutdownNotified;
    private volatile boolean outputShutdown;
    private volatile boolean open = true;

    /**
     * A stream on {@code channel} (AUTO_READ=false, half-closure allowed), whose only remaining
     * handler this becomes; also used by the upstream pool once its upstream handshake is done.
     */
    public ChannelExitStream(Channel channel, ExitInfo exit) {
        this.channel = channel;
        this.exit = exit;
    }

    @Override
    public ExitInfo exit() {
        return exit;
    }

    @Override
    public EventExecutor executor() {
        return channel.eventLoop();
    }

    @Override
    public boolean isWritable() {
        return open && !outputShutdown && channel.isActive() && channel.isWritable();
    }

    @Override
    public void write(ByteBuf data) {
        if (!open || outputShutdown || !channel.isActive()) {
            data.release();
            return;
        }
        channel.writeAndFlush(data).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                fail("write to target failed: " + f.cause());
            }
        });
    }

    @Override
    public void ack(int bytes) {
        onLoop(() -> {
            unacked -= bytes;
            readIfWanted();
        });
    }

    @Override
    public void setHandler(Handler h) {
        onLoop(() -> {
            if (handler != null) {
                throw new IllegalStateException("handler already set");
            }
            handler = h;
            for (ByteBuf b; (b = early.poll()) != null; ) {
                h.onData(this, b);
            }
            if (inputShutdown) {
                notifyInputShutdown();
            }
            if (peerClosed) {
                notifyClosed();
            } else {
                readIfWanted();
            }
        });
    }

    @Override
    public void close() {
        open = false;
        onLoop(() -> channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
    }

    @Override
    public void shutdownOutput() {
        onLoop(() -> {
            if (outputShutdown || !open) {
                return;
            }
            outputShutdown = true;
            Handler h = handler;
            if (h != null) {
                h.onWritabilityChanged(this);
            }
            // Writes complete in order: once this empty one is done, every byte before it is out.
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    fail("write to target failed: " + f.cause());
                } else if (inputShutdown) {
                    channel.close();
                } else {
                    ((DuplexChannel) channel).shutdownOutput();
                }
            });
        });
    }

    @Override
    public void abort(String reason) {
        open = false;
        onLoop(() -> {
            if (closeError == null) {
                closeError = reason;
            }
            channel.close();
        });
    }

    @Override
    public boolean isOpen() {
        return open && channel.isOpen();
    }

    // ---- channel events (event loop)

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        unacked += buf.readableBytes();
        Handler h = handler;
        if (h == null) {
            early.add(buf);
        } else {
            h.onData(this, buf);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readIfWanted();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !inputShutdown) {
            inputShutdown = true;
            if (handler != null) {
                notifyInputShutdown();
            }
        } else if (!(evt instanceof ChannelInputShutdownEvent) && evt != ChannelInputShutdownReadComplete.INSTANCE) {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private void notifyInputShutdown() {
        Handler h = handler;
        if (inputShutdownNotified || h == null) {
            return;
        }
        inputShutdownNotified = true;
        h.onInputShutdown(this);
        if (outputShutdown && channel.isOpen()) {
            // Both directions have ended: flush what the handler may still have written, then close.
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Handler h = handler;
        if (h != null) {
            h.onWritabilityChanged(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        open = false;
        peerClosed = true;
        if (handler != null) {
            notifyClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        for (ByteBuf b; (b = early.poll()) != null; ) {
            b.release();
        }
    }

    private void fail(String error) {
        onLoop(() -> {
            if (closeError == null) {
                closeError = error;
            }
            open = false;
            channel.close();
        });
    }

    private void notifyClosed() {
        Handler h = handler;
        if (closeNotified || h == null) {
            return;
        }
        closeNotified = true;
        h.onClosed(this, closeError);
    }

    private void readIfWanted() {
        if (handler != null && !inputShutdown && channel.isActive() && unacked < READ_AHEAD_BYTES) {
            channel.read();
        }
    }

    private void onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            channel.eventLoop().execute(task);
        }
    }
}
