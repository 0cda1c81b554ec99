package io.iploop.gateway.proxy;

import io.iploop.gateway.exit.ExitInfo;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Interim usage records of open streams (docs/product/usage.md#interim-records): while a tunnel or
 * an HTTP forwarding stream is open, it emits a usage record of the bytes carried since its
 * previous record every {@link #INTERVAL} or {@link #MAX_BYTES}, whichever comes first, so a long
 * stream is billed and credited in the period its bytes were carried and a crash loses none of its
 * earlier bytes. The records of one stream sum exactly to its bytes: each takes the connection's
 * bytes since the last cut ({@link MeteredStream#toUsage}). Interim records carry 0 requests; the
 * stream's final record carries its request count.
 *
 * <p>Cost on the data path: the byte trigger is one comparison in the metering handler per read or
 * write; the time trigger is one shared sweep per gateway (every {@link #SWEEP}) over the open
 * streams, which hands a due stream to its own event loop. No timer per stream.
 *
 * <p>Thread-safe: streams register and unregister from their event loops; the sweep only reads a
 * volatile timestamp.
 */
public final class InterimUsage implements AutoCloseable {

    /** Longest a stream goes without a usage record. */
    public static final Duration INTERVAL = Duration.ofSeconds(10);
    /** Most bytes (both directions) a stream carries without a usage record: 16 MiB. */
    public static final long MAX_BYTES = 16L << 20;
    /** How often the shared sweep looks for streams whose interval is over. */
    public static final Duration SWEEP = Duration.ofSeconds(1);

    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private final long intervalNanos;
    private final @Nullable ScheduledFuture<?> sweep;

    private InterimUsage(@Nullable EventExecutor timer, Duration interval) {
        this.intervalNanos = interval.toNanos();
        this.sweep = timer == null ? null
                : timer.scheduleAtFixedRate(this::sweep, SWEEP.toNanos(), SWEEP.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Both triggers, the sweep running on {@code timer} (one event loop of the gateway). */
    public static InterimUsage sweepingOn(EventExecutor timer) {
        return new InterimUsage(timer, INTERVAL);
    }

    /** Both triggers with another interval (tests). */
    public static InterimUsage sweepingOn(EventExecutor timer, Duration interval) {
        return new InterimUsage(timer, interval);
    }

    /** Only the byte trigger, no sweep (unit tests of pipelines on an embedded channel). */
    public static InterimUsage bytesOnly() {
        return new InterimUsage(null, INTERVAL);
    }

    /** Streams open now. */
    public int openStreams() {
        return open.size();
    }

    /**
     * Starts interim records for {@code metered}, open on {@code channel}. Call on the channel's
     * event loop; end with {@link Stream#end()} before the stream's final record.
     *
     * @param exit the exit carrying the stream (may change for HTTP forwarding), or null
     */
    public Stream begin(ProxyServices services, Channel channel, MeteredStream metered, Supplier<@Nullable ExitInfo> exit) {
        Stream s = new Stream(services, channel, metered, exit);
        metered.connection().openStream(s);
        open.add(s);
        return s;
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Stream s : open) {
            if (now - s.pieceStartNanos >= intervalNanos) {
                try {
                    s.channel.eventLoop().execute(s::emitIfIntervalOver);
                } catch (RejectedExecutionException e) {
                    open.remove(s); // its loop is shutting down: the final record follows
                }
            }
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> f = sweep;
        if (f != null) {
            f.cancel(false);
        }
    }

    /** One open stream. Confined to its channel's event loop except {@link #pieceStartNanos}. */
    public final class Stream {
        private final ProxyServices services;
        private final Channel channel;
        private final MeteredStream metered;
        private final Supplier<@Nullable ExitInfo> exit;
        private volatile long pieceStartNanos = System.nanoTime();
        private boolean ended;

        private Stream(ProxyServices services, Channel channel, MeteredStream metered, Supplier<@Nullable ExitInfo> exit) {
            this.services = services;
            this.channel = channel;
            this.metered = metered;
            this.exit = exit;
        }

        /** Emits an interim record now (the byte trigger). */
        void emit() {
            if (ended) {
                return;
            }
            pieceStartNanos = System.nanoTime();
            services.usage().add(metered.toInterimUsage(exit.get()));
        }

        private void emitIfIntervalOver() {
            if (ended || System.nanoTime() - pieceStartNanos < intervalNanos) {
                return;
            }
            if (metered.connection().uncutBytes() > 0) {
                emit();
            } else {
                pieceStartNanos = System.nanoTime(); // nothing carried: no empty record
            }
        }

        /** No more interim records; the caller emits the final one. Idempotent. */
        public void end() {
            if (ended) {
                return;
            }
            ended = true;
            open.remove(this);
            metered.connection().openStream(null);
        }
    }
}
