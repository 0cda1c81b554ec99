package io.iploop.gateway.node;

import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.tunnel.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A tunnel stream through one node, counting the bytes it carries into the node's counters
 * (docs/product/nodes.md#node-record) and timing it for the node's {@link NodeQuality}
 * (docs/exit-quality.md#measurements): time to first byte from the customer's first byte into the
 * stream to the exit's first byte back, and throughput of the bytes received over the transfer
 * time (pauses over {@link NodeQuality#IDLE_GAP_NANOS} left out). Customer billing is metered
 * separately at the customer socket.
 *
 * <p>A stream opened for a request with a reuse key can be parked in {@link IdleExitStreams} once
 * its exchange is complete and taken by a later request (docs/exit-reuse.md): the tunnel stream
 * keeps one handler, this class's, which passes events to the current user's handler, or while
 * idle ends the stream on anything the origin sends or closes. Thread-safe as its delegate.
 */
final class NodeExitStream implements ExitStream {

    private static final int IN_USE = 0;
    private static final int IDLE = 1;
    private static final int DEAD = 2;

    private final ByteStream delegate;
    private final NodeEntry node;
    private final ExitInfo exit;
    private final @Nullable IdleExitStreams idle;
    private final IdleExitStreams.@Nullable Key reuseKey;
    private final AtomicInteger reuseState = new AtomicInteger(IN_USE);
    /** Incremented at each park, so a timer of an earlier idle spell cannot expire a later one. */
    private volatile long idleGeneration;
    private volatile boolean reused;
    /** The handler events go to: the user's, or {@link #idleHandler} while parked; null before the first. */
    private volatile @Nullable Handler current;
    private final Handler idleHandler = new IdleHandler();
    /** System.nanoTime() of the first write, 0 before it; written once, from the customer's loop. */
    private volatile long firstWriteNanos;
    /** Set when this side closes or aborts: such an end says nothing about the node. */
    private volatile boolean endedHere;
    // Read side, touched only on the delegate's executor:
    private long bytesReceived;
    private long timedBytes;
    private long activeNanos;
    private long lastDataNanos;
    /** Whether the stream's success sample was counted (at its first byte back). */
    private boolean successCounted;

    /** A stream that is never reused (relay streams, tests). */
    NodeExitStream(ByteStream delegate, NodeEntry node, ExitInfo exit) {
        this(delegate, node, exit, null, null);
    }

    /** A stream that may be parked in {@code idle} under {@code reuseKey} (both null: never). */
    NodeExitStream(ByteStream delegate, NodeEntry node, ExitInfo exit, @Nullable IdleExitStreams idle,
            IdleExitStreams.@Nullable Key reuseKey) {
        this.delegate = delegate;
        this.node = node;
        this.exit = exit;
        this.idle = idle;
        this.reuseKey = reuseKey;
    }

    @Override
    public ExitInfo exit() {
        return exit;
    }

    @Override
    public EventExecutor executor() {
        return delegate.executor();
    }

    @Override
    public boolean isWritable() {
        return delegate.isWritable();
    }

    @Override
    public void write(ByteBuf data) {
        if (firstWriteNanos == 0) {
            firstWriteNanos = System.nanoTime();
        }
        node.bytesTotal.addAndGet(data.readableBytes());
        delegate.write(data);
    }

    @Override
    public void ack(int bytes) {
        delegate.ack(bytes);
    }

    @Override
    public void setHandler(Handler handler) {
        boolean first = current == null;
        current = handler;
        if (first) {
            delegate.setHandler(new Forwarder());
        }
    }

    /** The one handler of the tunnel stream: counts, then passes each event to {@link #current}. */
    private final class Forwarder implements Handler {
        @Override
        public void onData(ByteStream stream, ByteBuf data) {
            int n = data.readableBytes();
            node.bytesTotal.addAndGet(n);
            received(n, System.nanoTime());
            handler().onData(NodeExitStream.this, data);
        }

        @Override
        public void onWritabilityChanged(ByteStream stream) {
            handler().onWritabilityChanged(NodeExitStream.this);
        }

        @Override
        public void onInputShutdown(ByteStream stream) {
            handler().onInputShutdown(NodeExitStream.this);
        }

        @Override
        public void onClosed(ByteStream stream, @Nullable String error) {
            closed(error != null);
            handler().onClosed(NodeExitStream.this, error);
        }

        @Override
        public void onDataBurstEnd(ByteStream stream) {
            handler().onDataBurstEnd(NodeExitStream.this);
        }

        private Handler handler() {
            Handler h = current;
            return h == null ? idleHandler : h;
        }
    }

    /**
     * While parked nothing may arrive: bytes are unsolicited and the origin's FIN or a close ends
     * the stream's use. Also reached in the moment between {@link #takeFromIdle} and the new user's
     * {@link #setHandler}: the stream is then ended, which its new user sees as a stale stream.
     */
    private final class IdleHandler implements Handler {
        @Override
        public void onData(ByteStream stream, ByteBuf data) {
            ReferenceCountUtil.release(data);
            forget();
            delegate.abort("unsolicited bytes on an idle stream");
        }

        @Override
        public void onWritabilityChanged(ByteStream stream) {}

        @Override
        public void onInputShutdown(ByteStream stream) {
            forget();
            delegate.close();
        }

        @Override
        public void onClosed(ByteStream stream, @Nullable String error) {
            forget();
        }
    }

    private void forget() {
        IdleExitStreams pool = idle;
        IdleExitStreams.Key key = reuseKey;
        if (reuseState.compareAndSet(IDLE, DEAD) && pool != null && key != null) {
            pool.remove(this, key);
        }
    }

    @Override
    public boolean parkForReuse() {
        IdleExitStreams pool = idle;
        IdleExitStreams.Key key = reuseKey;
        if (pool == null || key == null || !pool.enabled() || !delegate.isOpen()) {
            return false;
        }
        long written = firstWriteNanos;
        firstWriteNanos = 0; // before a taker can write: its first write starts the next use's timing
        current = idleHandler;
        idleGeneration++;
        reuseState.set(IDLE);
        if (pool.park(this, key)) {
            delegate.executor().execute(this::endUse);
            return true;
        }
        firstWriteNanos = written;
        reuseState.compareAndSet(IDLE, IN_USE);
        return false;
    }

    /**
     * Counts a finished use of a reused stream in the node's quality as a clean end would, and starts
     * the next use's measurements afresh (each use is one sample, docs/exit-quality.md#measurements).
     * On the delegate's executor, queued before any event of the next use.
     */
    private void endUse() {
        if (!successCounted) {
            node.quality.openSucceeded();
        }
        node.quality.transferred(timedBytes, activeNanos);
        successCounted = false;
        bytesReceived = 0;
        timedBytes = 0;
        activeNanos = 0;
    }

    /** Called by the idle set under its lock: true if this stream was idle and is now its taker's. */
    boolean takeFromIdle() {
        if (!reuseState.compareAndSet(IDLE, IN_USE)) {
            return false;
        }
        if (!delegate.isOpen()) {
            reuseState.set(DEAD);
            return false;
        }
        reused = true;
        return true;
    }

    NodeEntry node() {
        return node;
    }

    long idleGeneration() {
        return idleGeneration;
    }

    /** The idle timer: closes the stream if it is still in the idle spell {@code generation}. */
    void expireIdle(long generation) {
        if (generation == idleGeneration && reuseState.get() == IDLE) {
            forget();
            if (reuseState.get() == DEAD) {
                delegate.close();
            }
        }
    }

    @Override
    public boolean reused() {
        return reused;
    }

    private void received(int n, long now) {
        if (!successCounted) {
            // The stream's one success sample: the exit served it (docs/exit-quality.md#measurements).
            successCounted = true;
            node.quality.openSucceeded();
        }
        if (bytesReceived == 0) {
            long written = firstWriteNanos;
            if (written != 0) {
                node.quality.firstByte(now - written);
            }
        } else {
            long gap = now - lastDataNanos;
            if (gap <= NodeQuality.IDLE_GAP_NANOS) {
                activeNanos += gap;
                timedBytes += n;
            }
        }
        bytesReceived += n;
        lastDataNanos = now;
    }

    private void closed(boolean withError) {
        if (reuseState.get() != IN_USE) {
            return; // ended while idle: its last use was counted when it was parked (endUse)
        }
        if (withError && bytesReceived == 0 && !endedHere) {
            node.quality.failed(NodeQuality.Cause.DROPPED, System.nanoTime());
        } else {
            if (!successCounted) {
                // Ended well without a byte back (the exit had nothing to say, or the gateway closed it).
                successCounted = true;
                node.quality.openSucceeded();
            }
            node.quality.transferred(timedBytes, activeNanos);
        }
    }

    @Override
    public void close() {
        endedHere = true;
        delegate.close();
    }

    @Override
    public void shutdownOutput() {
        delegate.shutdownOutput();
    }

    @Override
    public void abort(String reason) {
        endedHere = true;
        delegate.abort(reason);
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public boolean signalsDataBurstEnd() {
        return delegate.signalsDataBurstEnd();
    }

    @Override
    public String toString() {
        return "NodeExitStream(" + exit.nodeId() + ", " + delegate + ")";
    }
}
