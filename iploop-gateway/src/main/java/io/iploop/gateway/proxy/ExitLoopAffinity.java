package io.iploop.gateway.proxy;

import io.iploop.gateway.exit.ExitStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
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
 * A channel closed while it is between loops is reported to {@code failed} and stays closed.
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
     * (it was closed meanwhile), {@code failed} runs instead (on the channel's loop) with the cause
     * and the channel is closed; the caller then owns the cleanup of {@code stream}.
     */
    public static void moveToStreamLoop(Channel channel, ExitStream stream, Runnable then, Consumer<Throwable> failed) {
        EventLoop target = targetLoop(channel, stream.executor());
        if (target == null) {
            then.run();
            return;
        }
        channel.deregister().addListener((ChannelFutureListener) deregistered -> {
            if (!deregistered.isSuccess() || !channel.isOpen()) {
                fail(channel, failed, deregistered.cause());
                return;
            }
            ChannelFuture registered;
            try {
                registered = target.register(channel);
            } catch (RuntimeException e) {
                fail(channel, failed, e);
                return;
            }
            registered.addListener((ChannelFutureListener) r -> {
                if (r.isSuccess() && channel.isOpen()) {
                    then.run();
                } else {
                    fail(channel, failed, r.cause());
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

    private static void fail(Channel channel, Consumer<Throwable> failed, @Nullable Throwable cause) {
        channel.close();
        failed.accept(cause != null ? cause : new ClosedChannelException());
    }
}
