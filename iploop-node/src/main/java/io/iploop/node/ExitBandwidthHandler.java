package io.iploop.node;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.TimeUnit;

/**
 * Applies the agent's bandwidth cap, one {@link BandwidthLimiter} per direction, to one exit socket
 * (docs/node-agent.md#bandwidth-limit). Sits in front of the {@code ByteStreamRelay} handler (head
 * side), on a channel with {@code AUTO_READ=false}:
 * <ul>
 *   <li>bytes read from the target are charged to {@link Cap#fromTargets()}, and each read takes at
 *       most {@link BandwidthLimiter#readSize()} bytes; while the bucket is in debt, the relay's next
 *       {@code read()} is held back until it is paid (the socket is simply not read, so TCP pushes
 *       back on the target; nothing is buffered here);
 *   <li>bytes written to the target are charged to {@link Cap#toTargets()} and written at once, but the write's promise
 *       completes only once the bucket has paid for them; the relay acknowledges stream data on that
 *       promise, so the customer's side gets no new tunnel credit until then (at most one receive
 *       window is in flight, never an unbounded queue).
 * </ul>
 * Stateful, one per channel, used on the channel's event loop only.
 */
final class ExitBandwidthHandler extends ChannelDuplexHandler {

    static final String NAME = "exit-bandwidth";

    /**
     * The agent's cap: each direction has the full rate, as a line has a downstream and an upstream
     * (docs/node-agent.md#bandwidth-limit). Shared by all exit streams; thread-safe.
     *
     * @param fromTargets bytes read from targets (what customers download)
     * @param toTargets bytes written to targets (what customers upload)
     */
    record Cap(BandwidthLimiter fromTargets, BandwidthLimiter toTargets) {

        /** Both directions at {@code megabitsPerSecond}; throws IllegalArgumentException outside 1-10000. */
        static Cap of(int megabitsPerSecond) {
            return new Cap(new BandwidthLimiter(megabitsPerSecond), new BandwidthLimiter(megabitsPerSecond));
        }
    }

    private final BandwidthLimiter fromTargets;
    private final BandwidthLimiter toTargets;
    private long readAllowedAtNanos;
    private boolean readScheduled;

    ExitBandwidthHandler(Cap cap) {
        this.fromTargets = cap.fromTargets();
        this.toTargets = cap.toTargets();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Small reads: the capped bytes leave evenly rather than as one large read and a long pause.
        int size = fromTargets.readSize();
        ctx.channel().config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, size, size));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            long now = System.nanoTime();
            long wait = fromTargets.charge(buf.readableBytes(), now);
            readAllowedAtNanos = now + wait;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (readScheduled) {
            return; // the deferred read will run
        }
        long wait = readAllowedAtNanos - System.nanoTime();
        if (wait <= 0) {
            ctx.read();
            return;
        }
        readScheduled = true;
        ctx.executor().schedule(() -> {
            readScheduled = false;
            if (ctx.channel().isActive()) {
                ctx.read();
            }
        }, wait, TimeUnit.NANOSECONDS);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf) || promise.isVoid()) {
            if (msg instanceof ByteBuf b) {
                toTargets.charge(b.readableBytes(), System.nanoTime());
            }
            ctx.write(msg, promise);
            return;
        }
        long charged = System.nanoTime();
        long wait = toTargets.charge(buf.readableBytes(), charged);
        if (wait == 0) {
            ctx.write(msg, promise);
            return;
        }
        long due = charged + wait;
        ctx.write(msg).addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            long left = due - System.nanoTime();
            if (left <= 0) {
                promise.trySuccess();
            } else {
                ctx.executor().schedule(() -> {
                    promise.trySuccess();
                }, left, TimeUnit.NANOSECONDS);
            }
        });
    }
}
