package io.iploop.gateway.proxy;

import io.iploop.gateway.exit.ExitStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.nio.channels.ClosedChannelException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Moves a customer channel onto the event loop of its exit stream before a relay starts, so that
 * every read, write, acknowledgement and flush of the relay runs on one thread instead of crossing
 * from the customer socket's loop to the tunnel's loop and back for each message (a task queue
 * insert, an {@code eventfd} write and a wake-up per crossing; iploop-bench/PROFILE.md). The
 * customer's socket is accepted on whichever worker loop Netty picks, long before the node (and so
 * the tunnel session's loop) is chosen; a CONNECT tunnel then carries many exchanges (TLS handshake,
 * then requests), so moving it once pays for itself after its first round trip.
 *
 * <p>The move is Netty's {@link Channel#deregister()} followed by {@link EventLoop#register(Channel)}
 * on the stream's loop; it is done only when nothing else of the connection is in flight (the
 * protocol handlers are gone and the relay not yet started, {@code AUTO_READ} off) and only onto a
 * loop of the same group as the channel's (same transport). Otherwise, or when disabled with the
 * system property {@value #PROPERTY}{@code =false}, {@code then} runs right away on the current loop.
 * A channel closed while it is between loops is reported to {@code failed}, then its pipeline gets
 * the {@code channelInactive} Netty does not fire for a channel without a loop.
 *
 * <p>Stateless; call on the channel's event loop.
 */
public final class ExitLoopAffinity {

    /** System property: {@code false} keeps customer channels on the loop they were accepted on. */
    public static final String PROPERTY = "iploop.gateway.exit-loop-affinity";

    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY));

    private ExitLoopAffinity() {}

    /**
     * Moves {@code channel} onto {@code stream}'s event loop if that is another loop of the channel's
     * group, then runs {@code then} on the channel's (new) loop; if the move is not possible or
     * not useful, runs {@code then} directly. If the channel could not be registered on the new loop
     * (it was closed meanwhile), {@code failed} runs instead (on the channel's loop) with the cause,
     * the channel is closed and its pipeline sees {@code channelInactive} once; the caller then owns
     * the cleanup of {@code stream}.
     */
    public static void moveToStreamLoop(Channel channel, ExitStream stream, Runnable then, Consumer<Throwable> failed) {
        EventLoop target = targetLoop(channel, stream.executor());
        if (target == null) {
            then.run();
            return;
        }
        InactiveWatch watch = new InactiveWatch();
        channel.pipeline().addFirst(InactiveWatch.NAME, watch);
        channel.deregister().addListener((ChannelFutureListener) deregistered -> {
            if (!deregistered.isSuccess() || !channel.isOpen()) {
                // A close racing with the deregistration queued its own deregistration, which fires
                // channelInactive: let it run first.
                Throwable cause = deregistered.cause();
                channel.eventLoop().execute(() -> fail(channel, watch, failed, cause));
                return;
            }
            ChannelFuture registered;
            try {
                registered = target.register(channel);
            } catch (RuntimeException e) {
                fail(channel, watch, failed, e);
                return;
            }
            registered.addListener((ChannelFutureListener) r -> {
                if (r.isSuccess() && channel.isOpen()) {
                    channel.pipeline().remove(watch);
                    then.run();
                } else {
                    fail(channel, watch, failed, r.cause());
                }
            });
        });
    }

    /** The loop to move to, or null if the channel should stay where it is. */
    static @Nullable EventLoop targetLoop(Channel channel, EventExecutor streamExecutor) {
        if (!ENABLED || !(streamExecutor instanceof EventLoop target) || !channel.isRegistered()) {
            return null;
        }
        EventLoop current = channel.eventLoop();
        if (target == current || target.parent() != current.parent() || target.isShuttingDown()) {
            return null;
        }
        return target;
    }

    /**
     * Closes the channel and reports the failure. A channel closed while it belonged to no loop
     * never fires {@code channelInactive} in Netty; the pipeline gets it here (after
     * {@code failed}, as after a close's own listeners), so its handlers release what they hold.
     */
    private static void fail(Channel channel, InactiveWatch watch, Consumer<Throwable> failed, @Nullable Throwable cause) {
        channel.close();
        if (channel.pipeline().context(watch) != null) {
            channel.pipeline().remove(watch);
        }
        failed.accept(cause != null ? cause : new ClosedChannelException());
        if (!watch.inactive) {
            watch.inactive = true;
            channel.pipeline().fireChannelInactive();
            // Netty tears a closed channel's pipeline down on channelUnregistered.
            channel.pipeline().fireChannelUnregistered();
        }
    }

    /**
     * First in the pipeline while the channel moves: notes whether Netty fired channelInactive, and
     * fires it itself when the deregistration of a channel closed meanwhile comes first (Netty then
     * removes every handler right after channelUnregistered, before its own channelInactive).
     */
    private static final class InactiveWatch extends ChannelInboundHandlerAdapter {
        static final String NAME = "exit-loop-affinity";
        boolean inactive;

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inactive = true;
            ctx.fireChannelInactive();
        }

        @Override
        public void channelUnregistered(ChannelHandlerContext ctx) {
            if (!inactive && !ctx.channel().isOpen()) {
                inactive = true;
                ctx.fireChannelInactive();
            }
            ctx.fireChannelUnregistered();
        }
    }
}
