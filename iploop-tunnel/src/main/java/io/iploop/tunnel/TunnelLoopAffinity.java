package io.iploop.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Puts both ends of a tunnel connection made inside one process (the node agent that
 * {@code iploop server --local-node} runs beside its own node hub) on the same event loop, so a
 * stream's bytes go exit socket → agent → WebSocket → hub → customer socket on one thread: no
 * wake-up of another thread and no hand-over of every chunk between two cores' caches
 * (iploop-bench/PROFILE.md, round 5). Nothing changes on the wire; connections from anywhere else
 * are untouched.
 *
 * <p>The agent binds its socket first and {@linkplain #register registers} the bound address with
 * its channel's loop before it connects; the hub's {@linkplain #placing placing handler} finds the
 * accepted connection's remote address here and moves the channel onto that loop (Netty's
 * {@link Channel#deregister()} and {@link EventLoop#register(Channel)}, with {@code AUTO_READ} off,
 * before its pipeline is built or anything is read), if the loop belongs to the same group as the
 * one the channel was accepted on. An entry is forgotten when the agent's channel closes.
 *
 * <p>Thread-safe.
 */
public final class TunnelLoopAffinity {

    private final ConcurrentHashMap<SocketAddress, EventLoop> loops = new ConcurrentHashMap<>();

    /**
     * Connecting side: the connection about to be made from {@code channel}'s bound local address
     * should be served on {@code channel}'s event loop at the accepting side too. Call after
     * binding, before connecting; forgotten once the channel closes.
     *
     * @throws IllegalStateException if the channel is not bound or not registered
     */
    public void register(Channel channel) {
        SocketAddress local = channel.localAddress();
        if (local == null || !channel.isRegistered()) {
            throw new IllegalStateException("channel " + channel + " is not bound and registered");
        }
        EventLoop loop = channel.eventLoop();
        loops.put(local, loop);
        channel.closeFuture().addListener(f -> loops.remove(local, loop));
    }

    /** The loop registered for a connection from {@code remote} (an accepted channel's remote address), or null. */
    public @Nullable EventLoop loopFor(@Nullable SocketAddress remote) {
        return remote == null ? null : loops.get(remote);
    }

    /** Connections registered and not yet closed (for tests and diagnostics). */
    public int size() {
        return loops.size();
    }

    /**
     * Accepting side: a child handler that moves each accepted channel whose peer
     * {@linkplain #register registered} a loop onto that loop, then puts {@code initializer} in its
     * place (a {@code ChannelInitializer} then builds the pipeline on the new loop). Any other
     * channel gets {@code initializer} at once, on the loop it was accepted on.
     */
    public ChannelHandler placing(ChannelHandler initializer) {
        return new Placing(Objects.requireNonNull(initializer, "initializer"));
    }

    /** First handler of an accepted channel; replaced by the initializer. Stateless, shared. */
    @ChannelHandler.Sharable
    private final class Placing extends ChannelInboundHandlerAdapter {
        private final ChannelHandler initializer;

        Placing(ChannelHandler initializer) {
            this.initializer = initializer;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            EventLoop target = loopFor(ch.remoteAddress());
            EventLoop current = ch.eventLoop();
            if (target == null || target == current || target.parent() != current.parent() || target.isShuttingDown()) {
                ctx.pipeline().replace(this, ctx.name(), initializer);
                return;
            }
            String name = ctx.name();
            // Nothing may be read on the old loop: registration on the new one starts no read either.
            ch.config().setAutoRead(false);
            ch.deregister().addListener((ChannelFutureListener) deregistered -> {
                if (!deregistered.isSuccess() || !ch.isOpen()) {
                    ch.close();
                    return;
                }
                ChannelFuture registered;
                try {
                    registered = target.register(ch);
                } catch (RuntimeException e) {
                    ch.close();
                    return;
                }
                registered.addListener((ChannelFutureListener) r -> {
                    if (!r.isSuccess() || !ch.isOpen()) {
                        ch.close();
                        return;
                    }
                    ch.pipeline().replace(name, name, initializer);
                    ch.config().setAutoRead(true);
                });
            });
        }
    }
}
