package io.iploop.node;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
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
 *   <li>bytes written to the target are charged to {@link Cap#toTargets()} and written when the
 *       bucket has paid for them, later writes (an empty one before a half-close too) queued behind
 *       in order; the relay acknowledges stream data on the write's promise, so the customer's side
 *       gets no new tunnel credit until then (at most one receive window waits, never an unbounded
 *       queue).
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
    private final ArrayDeque<Delayed> delayed = new ArrayDeque<>();
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
        long now = System.nanoTime();
        long wait = msg instanceof ByteBuf buf ? toTargets.charge(buf.readableBytes(), now) : 0;
        if (wait == 0 && delayed.isEmpty()) {
            ctx.write(msg, promise);
            return;
        }
        // Held, not written: the bytes leave at the cap's pace, so an upload cannot run ahead of the
        // bucket by the receive window it was granted. The relay acknowledges stream data on the
        // promise, so what waits here is bounded by that window. Everything after a held write
        // (the empty write before a half-close included) waits behind it, in order.
        long due = Math.max(now + wait, delayed.isEmpty() ? 0 : delayed.peekLast().due);
        delayed.addLast(new Delayed(msg, promise, due));
        if (delayed.size() == 1) {
            scheduleDrain(ctx, due - now);
        }
    }

    private void scheduleDrain(ChannelHandlerContext ctx, long delayNanos) {
        ctx.executor().schedule(() -> drain(ctx), Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    private void drain(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        boolean wrote = false;
        while (!delayed.isEmpty() && delayed.peekFirst().due <= now) {
            Delayed d = delayed.pollFirst();
            ctx.write(d.msg, d.promise);
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        if (!delayed.isEmpty()) {
            scheduleDrain(ctx, delayed.peekFirst().due - now);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        Delayed d;
        while ((d = delayed.pollFirst()) != null) {
            ReferenceCountUtil.release(d.msg);
            d.promise.tryFailure(new ClosedChannelException());
        }
    }

    /** A write held until {@code due} ({@link System#nanoTime()} scale). */
    private record Delayed(Object msg, ChannelPromise promise, long due) {}
}
