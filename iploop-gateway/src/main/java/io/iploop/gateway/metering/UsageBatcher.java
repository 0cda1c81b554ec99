package io.iploop.gateway.metering;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues usage records and writes them to the {@link UsageSink} in batches from one daemon
 * thread: every flush interval, or as soon as {@value #MAX_BATCH} records are waiting (DESIGN §5).
 * A batch the sink refuses is kept and retried (the sink's inserts are idempotent), so nothing is
 * lost; {@link #close()} flushes everything synchronously.
 *
 * <p>Meters: {@code iploop.usage.batches.pending} (batches waiting, including one being retried)
 * and {@code iploop.usage.flush.lag} (seconds since the oldest waiting record was queued).
 *
 * <p>Thread-safe: {@link #add} never blocks and may be called from event loops.
 */
public final class UsageBatcher implements AutoCloseable {

    /** Most records per {@link UsageSink#write} call. */
    public static final int MAX_BATCH = 1000;

    private static final Logger log = LoggerFactory.getLogger(UsageBatcher.class);
    private static final long MAX_RETRY_DELAY_NANOS = TimeUnit.SECONDS.toNanos(30);

    private record Entry(UsageRecord record, long queuedNanos) {}

    private final UsageSink sink;
    private final Consumer<List<UsageRecord>> written;
    private final long flushIntervalNanos;
    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Object flushLock = new Object();
    private final Thread thread;
    private volatile boolean closed;
    /** A batch the sink refused, retried before anything else; guarded by flushLock. */
    private @Nullable List<Entry> retry;
    private volatile long oldestRetryNanos = Long.MAX_VALUE;
    private volatile int retrySize;

    /**
     * @param flushInterval how often records are written (DESIGN §5: 1 s)
     */
    public UsageBatcher(UsageSink sink, Duration flushInterval, MeterRegistry registry) {
        this(sink, flushInterval, registry, batch -> {});
    }

    /**
     * @param written told, on the flushing thread, about every batch the sink stored (the plan
     *     limits' byte budget); must not block
     */
    public UsageBatcher(UsageSink sink, Duration flushInterval, MeterRegistry registry, Consumer<List<UsageRecord>> written) {
        this.sink = sink;
        this.written = written;
        this.flushIntervalNanos = Math.max(1, flushInterval.toNanos());
        Gauge.builder("iploop.usage.batches.pending", this, b -> b.pendingBatches())
                .description("usage batches waiting to be written").register(registry);
        Gauge.builder("iploop.usage.flush.lag", this, b -> b.flushLagSeconds())
                .baseUnit("seconds").description("age of the oldest usage record not yet written").register(registry);
        this.thread = Thread.ofPlatform().daemon().name("iploop-usage-flusher").unstarted(this::run);
    }

    /** Starts the flushing thread. */
    public void start() {
        thread.start();
    }

    /** Queues a record; never blocks. Records added after {@link #close()} are written at once. */
    public void add(UsageRecord record) {
        queue.add(new Entry(record, System.nanoTime()));
        if (queued.incrementAndGet() >= MAX_BATCH) {
            LockSupport.unpark(thread);
        }
        if (closed) {
            flushAllQuietly();
        }
    }

    /** Records queued and not yet written. */
    public int pendingRecords() {
        return queued.get() + retrySize;
    }

    /** Batches waiting, including a refused one. */
    public int pendingBatches() {
        return (queued.get() + MAX_BATCH - 1) / MAX_BATCH + (retrySize > 0 ? 1 : 0);
    }

    /** Seconds since the oldest waiting record was queued; 0 when nothing waits. */
    public double flushLagSeconds() {
        long oldest = oldestRetryNanos;
        Entry head = queue.peek();
        if (head != null) {
            oldest = Math.min(oldest, head.queuedNanos());
        }
        return oldest == Long.MAX_VALUE ? 0 : Math.max(0, System.nanoTime() - oldest) / 1e9;
    }

    private void run() {
        long retryDelay = flushIntervalNanos;
        while (!closed) {
            LockSupport.parkNanos(this, retryDelay);
            if (closed) {
                break;
            }
            try {
                boolean ok = flushOnce();
                retryDelay = ok ? flushIntervalNanos : Math.min(retryDelay * 2, MAX_RETRY_DELAY_NANOS);
            } catch (RuntimeException e) {
                log.error("usage flush failed unexpectedly", e);
            }
        }
    }

    /**
     * Writes waiting records, batch by batch, until none are left or the sink fails.
     *
     * @return false if the sink refused a batch (it is kept for the next attempt)
     */
    boolean flushOnce() {
        synchronized (flushLock) {
            while (true) {
                List<Entry> batch = retry;
                if (batch == null) {
                    batch = new ArrayList<>(Math.min(MAX_BATCH, Math.max(1, queued.get())));
                    Entry e;
                    while (batch.size() < MAX_BATCH && (e = queue.poll()) != null) {
                        queued.decrementAndGet();
                        batch.add(e);
                    }
                    if (batch.isEmpty()) {
                        return true;
                    }
                }
                try {
                    List<UsageRecord> records = batch.stream().map(Entry::record).toList();
                    sink.write(records);
                    written.accept(records);
                    retry = null;
                    retrySize = 0;
                    oldestRetryNanos = Long.MAX_VALUE;
                } catch (Exception ex) {
                    if (retry == null) {
                        log.warn("usage sink refused a batch of {} records; keeping it for retry: {}", batch.size(), ex.toString());
                    }
                    retry = batch;
                    retrySize = batch.size();
                    oldestRetryNanos = batch.getFirst().queuedNanos();
                    return false;
                }
            }
        }
    }

    private void flushAllQuietly() {
        for (int attempt = 0; attempt < 5; attempt++) {
            if (flushOnce()) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200L << attempt));
        }
        log.error("usage sink keeps failing at shutdown; {} usage records were not written", pendingRecords());
    }

    /** Stops the thread and writes everything still waiting, retrying the sink a few times. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushAllQuietly();
    }
}
