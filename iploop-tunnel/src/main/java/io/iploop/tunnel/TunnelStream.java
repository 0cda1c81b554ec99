package io.iploop.tunnel;

import io.iploop.tunnel.frame.FrameType;
import io.iploop.tunnel.frame.TunnelProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One stream of a {@link TunnelSession}: send credit, the local send queue, the receive window
 * with its auto-tuning (docs/protocol.md §5), delivery to the {@link ByteStream.Handler}, and the
 * half-close states of docs/protocol.md §4.6 (open, local-half-closed after our FIN,
 * remote-half-closed after the peer's FIN, closed once both FINs went by or on CLOSE). All state
 * is confined to the session's event loop; public methods hop onto it.
 */
final class TunnelStream implements ByteStream {

    /** A graceful close waits at most this long for the peer's credit to send queued data. */
    private static final long CLOSE_LINGER_MILLIS = 30_000;

    /** The receive window grows when half of it is consumed within this many smoothed RTTs. */
    private static final int GROWTH_RTT_FACTOR = 4;

    /** RTT floor for window growth, so a sub-millisecond loopback RTT does not make every stream grow. */
    private static final long MIN_RTT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private enum State { OPENING, OPEN, CLOSED }

    private final TunnelSession session;
    private final int id;
    private final EventLoop loop;

    // Confined to loop.
    private State state = State.OPENING;
    private long sendCredit = TunnelProtocol.INITIAL_WINDOW;
    private final ArrayDeque<ByteBuf> sendQueue = new ArrayDeque<>();
    private boolean closeRequested;
    /** shutdownOutput() was called: FIN goes out once the send queue is empty. */
    private boolean finRequested;
    private boolean finSent;
    private boolean finReceived;
    /** The peer's FIN arrived while data was still undelivered (or no handler was set). */
    private boolean finUndelivered;
    private long recvGranted = TunnelProtocol.INITIAL_WINDOW;
    private long recvTotal;
    private int recvWindow = TunnelProtocol.INITIAL_WINDOW;
    // Acknowledged bytes from other threads not yet handed to doAck, and the batch size that is
    // worth a task: what doAck still needs before it answers (half the window minus what it holds).
    private final AtomicLong pendingAcks = new AtomicLong();
    private final AtomicBoolean ackDrainScheduled = new AtomicBoolean();
    private volatile long ackBatchThreshold = TunnelProtocol.INITIAL_WINDOW / 2;
    private long ackedSinceUpdate;
    private long lastWindowUpdateNanos = System.nanoTime();
    private @Nullable ArrayDeque<ByteBuf> undelivered = new ArrayDeque<>();
    private boolean closeUndelivered;
    private @Nullable String undeliveredError;
    private @Nullable ScheduledFuture<?> timer;
    /** Data went to the handler during the session's current read; endBurst() follows. */
    private boolean inBurst;
    @Nullable CompletableFuture<ByteStream> openFuture;

    private volatile @Nullable Handler handler;
    private volatile boolean writable = true;
    private volatile boolean open = true;

    TunnelStream(TunnelSession session, int id, EventLoop loop) {
        this.session = session;
        this.id = id;
        this.loop = loop;
    }

    int id() {
        return id;
    }

    @Override
    public EventExecutor executor() {
        return loop;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean signalsDataBurstEnd() {
        return true;
    }

    @Override
    public void write(ByteBuf data) {
        if (loop.inEventLoop()) {
            doWrite(data);
        } else {
            loop.execute(() -> doWrite(data));
        }
    }

    @Override
    public void ack(int bytes) {
        if (bytes <= 0) {
            return;
        }
        if (loop.inEventLoop()) {
            doAck(bytes);
            return;
        }
        // From another thread (the customer's or exit socket's loop, once per write): the bytes
        // add up here and only a batch worth a WINDOW frame becomes a task on the stream's loop,
        // instead of one task and one wake-up per small write. doAck would hold back a smaller
        // batch anyway (it answers at half the window), so no credit is granted later than before.
        long pending = pendingAcks.addAndGet(bytes);
        if (pending >= ackBatchThreshold && ackDrainScheduled.compareAndSet(false, true)) {
            loop.execute(this::drainPendingAcks);
        }
    }

    private void drainPendingAcks() {
        ackDrainScheduled.set(false);
        doAck(0);
    }

    @Override
    public void setHandler(Handler h) {
        if (handler != null) {
            throw new IllegalStateException("stream " + id + ": handler already set");
        }
        handler = h;
        loop.execute(this::deliverUndelivered);
    }

    @Override
    public void close() {
        loop.execute(this::doClose);
    }

    @Override
    public void shutdownOutput() {
        // Inline on the loop, as write() is, so a write after it can never overtake it.
        if (loop.inEventLoop()) {
            doShutdownOutput();
        } else {
            loop.execute(this::doShutdownOutput);
        }
    }

    @Override
    public void abort(String reason) {
        loop.execute(() -> terminate(reason, true));
    }

    @Override
    public String toString() {
        return "TunnelStream(" + id + ")";
    }

    // ---------------------------------------------------------------- event-loop side

    /** OPEN_OK sent (node) or received (gateway). */
    void opened() {
        if (state == State.OPENING) {
            state = State.OPEN;
            cancelTimer();
        }
    }

    boolean isOpening() {
        return state == State.OPENING;
    }

    void setTimer(ScheduledFuture<?> t) {
        cancelTimer();
        timer = t;
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
            timer = null;
        }
    }

    private void doWrite(ByteBuf data) {
        if (state == State.CLOSED || closeRequested || finRequested) {
            ReferenceCountUtil.release(data);
            return;
        }
        if (!data.isReadable()) {
            data.release();
            return;
        }
        sendQueue.add(data);
        drainSendQueue();
    }

    /** Sends queued data as far as credit allows; flushes once. */
    private void drainSendQueue() {
        boolean wrote = false;
        while (sendCredit > 0 && !sendQueue.isEmpty() && session.isChannelWritable()) {
            ByteBuf head = sendQueue.peek();
            int n = (int) Math.min(Math.min(sendCredit, head.readableBytes()), TunnelProtocol.MAX_DATA_PAYLOAD);
            ByteBuf chunk;
            if (n == head.readableBytes()) {
                chunk = sendQueue.poll();
            } else {
                chunk = head.readRetainedSlice(n);
            }
            sendCredit -= n;
            session.writeFrame(FrameType.DATA, id, chunk);
            wrote = true;
        }
        if (wrote) {
            session.flush();
        }
        if (closeRequested && sendQueue.isEmpty()) {
            terminate(null, true);
            return;
        }
        if (finRequested && !finSent && sendQueue.isEmpty() && state != State.CLOSED) {
            // Every DATA of this direction is out: FIN follows them on the same ordered connection.
            finSent = true;
            session.writeFrame(FrameType.FIN, id, Unpooled.EMPTY_BUFFER);
            session.flush();
            if (finReceived && !finUndelivered) {
                completeHalfClose();
                return;
            }
        }
        updateWritability();
    }

    private void updateWritability() {
        boolean now = state != State.CLOSED && !closeRequested && !finRequested && sendCredit > 0 && sendQueue.isEmpty()
                && session.isChannelWritable();
        if (now != writable) {
            writable = now;
            Handler h = handler;
            if (h != null) {
                h.onWritabilityChanged(this);
            }
        }
    }

    private void doAck(long bytes) {
        // Whatever other threads acknowledged so far counts now too (see ack()).
        bytes += pendingAcks.getAndSet(0);
        if (state == State.CLOSED || finReceived || bytes <= 0) {
            // After the peer's FIN no more DATA comes: credit would be wasted frames.
            return;
        }
        ackedSinceUpdate += bytes;
        if (ackedSinceUpdate < recvWindow / 2) {
            ackBatchThreshold = Math.max(1, recvWindow / 2 - ackedSinceUpdate);
            return;
        }
        long now = System.nanoTime();
        int growth = 0;
        long rtt = Math.max(session.rttNanos(), MIN_RTT_NANOS);
        if (recvWindow < session.settings().maxWindowBytes() && now - lastWindowUpdateNanos < GROWTH_RTT_FACTOR * rtt) {
            // Half the window went by within a few RTTs: the stream is bandwidth-bound, not
            // consumer-bound, so a larger window buys throughput (one window per RTT).
            growth = Math.min(recvWindow, session.settings().maxWindowBytes() - recvWindow);
            recvWindow += growth;
        }
        lastWindowUpdateNanos = now;
        long increment = ackedSinceUpdate + growth;
        ackedSinceUpdate = 0;
        ackBatchThreshold = recvWindow / 2;
        recvGranted += increment;
        session.writeFrame(FrameType.WINDOW, id, Payloads.encodeInt(session.alloc(), (int) increment));
        session.flush();
    }

    private void doClose() {
        if (state == State.CLOSED || closeRequested) {
            return;
        }
        closeRequested = true;
        updateWritability();
        if (sendQueue.isEmpty()) {
            terminate(null, true);
        } else {
            setTimer(loop.schedule(() -> terminate("close timed out waiting for credit", true),
                    CLOSE_LINGER_MILLIS, TimeUnit.MILLISECONDS));
        }
    }

    private void doShutdownOutput() {
        if (state == State.CLOSED || closeRequested || finRequested) {
            return;
        }
        if (!session.halfCloseNegotiated()) {
            // A version 1 peer knows no FIN: end both directions, as before (docs/protocol.md §7).
            doClose();
            return;
        }
        finRequested = true;
        updateWritability();
        drainSendQueue();
    }

    /** Frames from the peer. */
    void onData(ByteBuf data) {
        if (state == State.CLOSED) {
            data.release();
            return;
        }
        if (finReceived) {
            data.release();
            throw new TunnelProtocolException("stream " + id + ": DATA after FIN");
        }
        recvTotal += data.readableBytes();
        if (recvTotal > recvGranted) {
            data.release();
            throw new TunnelProtocolException("stream " + id + " exceeded its receive window by " + (recvTotal - recvGranted) + " bytes");
        }
        Handler h = handler;
        ArrayDeque<ByteBuf> pending = undelivered;
        if (h == null || (pending != null && !pending.isEmpty())) {
            if (pending == null) {
                data.release();
                return;
            }
            pending.add(data);
            return;
        }
        if (!inBurst) {
            inBurst = true;
            session.burstDelivered(this);
        }
        h.onData(this, data);
    }

    /** The session's read that delivered data to this stream ended: the handler may flush now. */
    void endBurst() {
        inBurst = false;
        Handler h = handler;
        if (h != null) {
            h.onDataBurstEnd(this);
        }
    }

    void onWindow(int increment) {
        if (state == State.CLOSED) {
            return;
        }
        sendCredit += increment;
        if (sendCredit > TunnelProtocol.MAX_WINDOW) {
            throw new TunnelProtocolException("stream " + id + ": WINDOW grants " + sendCredit
                    + " bytes of credit (expected: at most " + TunnelProtocol.MAX_WINDOW + ")");
        }
        drainSendQueue();
    }

    /** The session's connection drained below its low-water mark: send what waited for it. */
    void onChannelWritable() {
        if (state != State.CLOSED) {
            drainSendQueue();
        }
    }

    /** FIN from the peer: its direction ended after the DATA before it; ours may go on. */
    void onFin() {
        if (state == State.CLOSED) {
            return;
        }
        if (finReceived) {
            throw new TunnelProtocolException("stream " + id + ": second FIN");
        }
        if (state == State.OPENING) {
            throw new TunnelProtocolException("stream " + id + ": FIN before the stream was open");
        }
        finReceived = true;
        Handler h = handler;
        ArrayDeque<ByteBuf> pending = undelivered;
        if (h == null || (pending != null && !pending.isEmpty())) {
            finUndelivered = true;
            return;
        }
        deliverFin(h);
    }

    private void deliverFin(Handler h) {
        h.onInputShutdown(this);
        if (finSent && state != State.CLOSED) {
            completeHalfClose();
        }
    }

    /** Both FINs went by: the stream is done without CLOSE (both sides know it). */
    private void completeHalfClose() {
        markClosed();
        notifyClosed(null);
    }

    /** CLOSE from the peer: deliver what arrived, then report the close. */
    void onPeerClose(@Nullable String error) {
        if (state == State.CLOSED) {
            return;
        }
        if (handler == null) {
            closeUndelivered = true;
            undeliveredError = error;
            markClosed();
            return;
        }
        markClosed();
        notifyClosed(error);
    }

    /**
     * Closes this stream for good: optionally tells the peer, releases queued data, removes it
     * from the session and notifies the handler. Idempotent.
     */
    void terminate(@Nullable String error, boolean tellPeer) {
        if (state == State.CLOSED) {
            return;
        }
        if (tellPeer && session.isActive()) {
            session.writeFrame(FrameType.CLOSE, id, Payloads.encodeClose(session.alloc(), error));
            session.flush();
        }
        markClosed();
        CompletableFuture<ByteStream> f = openFuture;
        if (f != null && !f.isDone()) {
            f.completeExceptionally(new OpenFailedException(OpenFailure.UNAVAILABLE, error == null ? "stream closed" : error));
        }
        if (handler != null) {
            notifyClosed(error);
        } else {
            closeUndelivered = true;
            undeliveredError = error;
        }
    }

    private void markClosed() {
        state = State.CLOSED;
        open = false;
        writable = false;
        cancelTimer();
        ByteBuf b;
        while ((b = sendQueue.poll()) != null) {
            b.release();
        }
        session.removeStream(this);
    }

    private void notifyClosed(@Nullable String error) {
        ArrayDeque<ByteBuf> pending = undelivered;
        undelivered = null;
        if (pending != null) {
            ByteBuf b;
            while ((b = pending.poll()) != null) {
                b.release();
            }
        }
        Handler h = handler;
        if (h != null) {
            h.onClosed(this, error);
        }
    }

    private void deliverUndelivered() {
        Handler h = handler;
        ArrayDeque<ByteBuf> pending = undelivered;
        if (h == null || pending == null) {
            return;
        }
        ByteBuf b;
        boolean delivered = false;
        while ((b = pending.poll()) != null) {
            h.onData(this, b);
            delivered = true;
        }
        if (delivered) {
            h.onDataBurstEnd(this);
        }
        if (closeUndelivered) {
            closeUndelivered = false;
            undelivered = null;
            h.onClosed(this, undeliveredError);
            return;
        }
        if (finUndelivered && state != State.CLOSED) {
            finUndelivered = false;
            deliverFin(h);
            if (state == State.CLOSED) {
                return;
            }
        }
        if (state != State.CLOSED) {
            updateWritability();
        }
    }
}
