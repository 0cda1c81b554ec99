package io.iploop.gateway.pool;

import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.tunnel.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * An upstream stream of a pool port with the account's pool limits applied
 * (docs/upstream-pool.md#limits): bytes are counted as pending pool usage (the quota check), a
 * stream is cut once the quota is used up, and both directions are shaped to the per-socket and
 * per-account rates by slowing, never refusing and never buffering more than the relays already
 * bound: towards the upstream the stream reports itself unwritable until the rate allows more (the
 * relay stops reading the customer), towards the customer the credit returned to the upstream
 * stream ({@link #ack}) is delayed (it stops reading the upstream once its read-ahead is unacknowledged).
 *
 * <p>Thread-safe as the wrapped stream: callbacks and timers run on its executor.
 */
final class PoolExitStream implements ExitStream {

    /** How far a shaped direction may run ahead of its rate, in ns. */
    static final long SHAPING_BURST_NANOS = 50_000_000L;

    private final ExitStream inner;
    private final @Nullable PoolAccount account;
    private final @Nullable PoolRate socketUp;
    private final @Nullable PoolRate socketDown;
    private volatile @Nullable Handler handler;
    /** System.nanoTime() before which writes towards the upstream stay paused. */
    private volatile long upResumeAt;
    private volatile boolean upPaused;

    /**
     * @param account the account whose limits apply, or null for none (health probes)
     * @param bytesPerSecondPerSocket per-socket rate in each direction, 0 = unshaped
     */
    PoolExitStream(ExitStream inner, @Nullable PoolAccount account, long bytesPerSecondPerSocket) {
        this.inner = inner;
        this.account = account;
        this.socketUp = bytesPerSecondPerSocket > 0 ? new PoolRate(bytesPerSecondPerSocket, SHAPING_BURST_NANOS) : null;
        this.socketDown = bytesPerSecondPerSocket > 0 ? new PoolRate(bytesPerSecondPerSocket, SHAPING_BURST_NANOS) : null;
    }

    @Override
    public ExitInfo exit() {
        return inner.exit();
    }

    @Override
    public EventExecutor executor() {
        return inner.executor();
    }

    @Override
    public boolean isWritable() {
        return !upPaused && inner.isWritable();
    }

    @Override
    public void write(ByteBuf data) {
        int n = data.readableBytes();
        PoolAccount a = account;
        if (a != null) {
            a.carried(n);
            if (a.quotaExhausted()) {
                data.release();
                inner.abort("the pool data quota is used up");
                return;
            }
        }
        long wait = delay(socketUp, a == null ? null : a.rates().bytesUp(), n);
        inner.write(data);
        if (wait > 0) {
            pauseUp(wait);
        }
    }

    private static long delay(@Nullable PoolRate socket, @Nullable PoolRate total, int bytes) {
        if (socket == null && total == null) {
            return 0;
        }
        long now = System.nanoTime();
        long a = socket == null ? 0 : socket.reserve(bytes, now);
        long b = total == null ? 0 : total.reserve(bytes, now);
        return Math.max(a, b);
    }

    private void pauseUp(long waitNanos) {
        upResumeAt = Math.max(upResumeAt, System.nanoTime() + waitNanos);
        if (!upPaused) {
            upPaused = true;
            scheduleResume(waitNanos);
        }
    }

    private void scheduleResume(long waitNanos) {
        inner.executor().schedule(() -> {
            long left = upResumeAt - System.nanoTime();
            if (left > 0) {
                scheduleResume(left);
                return;
            }
            upPaused = false;
            Handler h = handler;
            if (h != null) {
                h.onWritabilityChanged(this);
            }
        }, waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void ack(int bytes) {
        PoolAccount a = account;
        long wait = delay(socketDown, a == null ? null : a.rates().bytesDown(), bytes);
        if (wait <= 0) {
            inner.ack(bytes);
        } else {
            inner.executor().schedule(() -> inner.ack(bytes), wait, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void setHandler(Handler h) {
        handler = h;
        inner.setHandler(new Handler() {
            @Override
            public void onData(ByteStream stream, ByteBuf data) {
                PoolAccount a = account;
                if (a != null) {
                    a.carried(data.readableBytes());
                    if (a.quotaExhausted()) {
                        data.release();
                        inner.abort("the pool data quota is used up");
                        return;
                    }
                }
                h.onData(PoolExitStream.this, data);
            }

            @Override
            public void onWritabilityChanged(ByteStream stream) {
                h.onWritabilityChanged(PoolExitStream.this);
            }

            @Override
            public void onInputShutdown(ByteStream stream) {
                h.onInputShutdown(PoolExitStream.this);
            }

            @Override
            public void onClosed(ByteStream stream, @Nullable String error) {
                h.onClosed(PoolExitStream.this, error);
            }

            @Override
            public void onDataBurstEnd(ByteStream stream) {
                h.onDataBurstEnd(PoolExitStream.this);
            }
        });
    }

    @Override
    public boolean signalsDataBurstEnd() {
        return inner.signalsDataBurstEnd();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public void shutdownOutput() {
        inner.shutdownOutput();
    }

    @Override
    public void abort(String reason) {
        inner.abort(reason);
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }
}
