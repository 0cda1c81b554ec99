package io.iploop.gateway.metering;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
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
 * thread: every flush interval, or as soon as {@value #MAX_BATCH} records are waiting
 * (docs/product/usage.md#metering).
 * A batch the sink refuses is kept and retried (the sink's inserts are idempotent), so nothing is
 * lost; {@link #close()} flushes everything synchronously.
 *
 * <p>With a {@link UsageJournal} ({@code docs/operations.md#usage-journal}) a second daemon thread
 * appends the queued records to the journal and forces it every flush interval, and the sink is fed
 * from the journal instead of from memory: while the sink is down the records wait on disk (bounded;
 * records that do not fit are dropped, counted and logged), a process killed with SIGKILL loses at
 * most the records queued since the last append (one flush interval), and records an earlier process
 * left in the journal are written at start. The two threads are independent, so a sink call that
 * hangs (a database that does not answer) never delays the journal.
 *
 * <p>Meters: {@code iploop.usage.batches.pending} (batches waiting, including one being retried),
 * {@code iploop.usage.flush.lag} (seconds since the oldest waiting record was queued), and with a
 * journal {@code iploop.usage.journal.bytes} (its size on disk) and the counter
 * {@code iploop.usage.journal.dropped} (records refused because the journal was full).
 *
 * <p>Thread-safe: {@link #add} never blocks and may be called from event loops.
 */
public final class UsageBatcher implements AutoCloseable {

    /** Most records per {@link UsageSink#write} call. */
    public static final int MAX_BATCH = 1000;
    /** Fraction of the journal's bound at which new requests stop being admitted (docs/operations.md#usage-journal). */
    public static final double STOP_ADMITTING_AT = 0.9;
    /** Fraction under which they are admitted again. */
    public static final double ADMIT_AGAIN_AT = 0.8;

    private static final Logger log = LoggerFactory.getLogger(UsageBatcher.class);
    /** Longest wait between attempts on a failing sink: usage is current again soon after the database is back. */
    private static final long MAX_RETRY_DELAY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private record Entry(UsageRecord record, long queuedNanos) {}

    private volatile @Nullable Consumer<UsageRecord> observer;
    private final UsageSink sink;
    private final Consumer<List<UsageRecord>> written;
    private final long flushIntervalNanos;
    private final @Nullable UsageJournal journal;
    private final @Nullable Counter dropped;
    private final ConcurrentLinkedQueue<Entry> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Object flushLock = new Object();
    private final Thread thread;
    private final @Nullable Thread journalThread;
    private volatile boolean closed;
    /** A batch the sink refused, retried before anything else; guarded by flushLock. */
    private @Nullable List<Entry> retry;
    private volatile long oldestRetryNanos = Long.MAX_VALUE;
    private volatile int retrySize;
    /** Records taken from the queue that the journal could not take yet (an I/O error); journal thread only. */
    private final List<UsageRecord> unjournaled = new ArrayList<>();
    /** Whether the journal is full at the moment (logged once per episode); journal thread only. */
    private boolean full;
    /** False from {@link #STOP_ADMITTING_AT} of the journal's bound until it is back under {@link #ADMIT_AGAIN_AT}. */
    private volatile boolean admitting = true;
    private long droppedThisEpisode;

    /**
     * @param flushInterval how often records are written (1 s: a crash loses at most one interval)
     */
    public UsageBatcher(UsageSink sink, Duration flushInterval, MeterRegistry registry) {
        this(sink, flushInterval, registry, batch -> {});
    }

    /**
     * @param written told, on the flushing thread, about every batch the sink stored (the plan
     *     limits' byte budget); must not block
     */
    public UsageBatcher(UsageSink sink, Duration flushInterval, MeterRegistry registry, Consumer<List<UsageRecord>> written) {
        this(sink, flushInterval, registry, written, null);
    }

    /**
     * @param written told, on the flushing thread, about every batch the sink stored that this
     *     process metered (not about records replayed from an earlier process); must not block
     * @param journal where records wait between metering and the sink, or null to keep them in
     *     memory only; the batcher closes it
     */
    public UsageBatcher(UsageSink sink, Duration flushInterval, MeterRegistry registry, Consumer<List<UsageRecord>> written,
            @Nullable UsageJournal journal) {
        this.sink = sink;
        this.written = written;
        this.flushIntervalNanos = Math.max(1, flushInterval.toNanos());
        this.journal = journal;
        Gauge.builder("iploop.usage.batches.pending", this, b -> b.pendingBatches())
                .description("usage batches waiting to be written").register(registry);
        Gauge.builder("iploop.usage.flush.lag", this, b -> b.flushLagSeconds())
                .baseUnit("seconds").description("age of the oldest usage record not yet written").register(registry);
        if (journal != null) {
            Gauge.builder("iploop.usage.journal.bytes", journal, j -> j.sizeBytes())
                    .baseUnit("bytes").description("size of the on-disk usage journal").register(registry);
            this.dropped = Counter.builder("iploop.usage.journal.dropped")
                    .description("usage records dropped because the usage journal was full").register(registry);
            this.journalThread = Thread.ofPlatform().daemon().name("iploop-usage-journal").unstarted(this::runJournal);
            updateAdmitting(journal); // an earlier process may have left it nearly full
        } else {
            this.dropped = null;
            this.journalThread = null;
        }
        this.thread = Thread.ofPlatform().daemon().name("iploop-usage-flusher").unstarted(this::run);
    }

    /** Starts the flushing thread (and the journal's). */
    public void start() {
        Thread j = journalThread;
        if (j != null) {
            j.start();
        }
        thread.start();
    }

    /**
     * Sees every record as it is added, on the adding thread (an event loop): must be cheap and
     * never block. Used for the bytes per sticky session (docs/product/proxy.md#session-control).
     */
    public void observe(@Nullable Consumer<UsageRecord> observer) {
        this.observer = observer;
    }

    /** Queues a record; never blocks. Records added after {@link #close()} are written at once. */
    public void add(UsageRecord record) {
        Consumer<UsageRecord> o = observer;
        if (o != null) {
            o.accept(record);
        }
        queue.add(new Entry(record, System.nanoTime()));
        if (queued.incrementAndGet() >= MAX_BATCH) {
            LockSupport.unpark(journalThread != null ? journalThread : thread);
        }
        if (closed) {
            if (journal == null) {
                flushAllQuietly();
            } else {
                lateRecord();
            }
        }
    }

    /** A record metered after {@link #close()} (the journal is closed): written straight to the sink. */
    private void lateRecord() {
        List<UsageRecord> late = new ArrayList<>();
        Entry e;
        while ((e = queue.poll()) != null) {
            queued.decrementAndGet();
            late.add(e.record());
        }
        if (late.isEmpty()) {
            return;
        }
        try {
            sink.write(late);
        } catch (Exception ex) {
            log.error("{} usage records metered after shutdown could not be written: {}", late.size(), ex.toString());
        }
    }

    /** Records queued and not yet written (in memory and in the journal). */
    public int pendingRecords() {
        UsageJournal j = journal;
        long inJournal = j == null ? retrySize : j.pendingRecords();
        return (int) Math.min(Integer.MAX_VALUE, queued.get() + unjournaledSize + inJournal);
    }

    /** Batches waiting, including a refused one. */
    public int pendingBatches() {
        UsageJournal j = journal;
        if (j != null) {
            return (pendingRecords() + MAX_BATCH - 1) / MAX_BATCH;
        }
        return (queued.get() + MAX_BATCH - 1) / MAX_BATCH + (retrySize > 0 ? 1 : 0);
    }

    /** Seconds since the oldest waiting record was queued; 0 when nothing waits. */
    public double flushLagSeconds() {
        long oldest = oldestRetryNanos;
        UsageJournal j = journal;
        if (j != null) {
            oldest = Math.min(oldest, j.oldestPendingNanos());
        }
        Entry head = queue.peek();
        if (head != null) {
            oldest = Math.min(oldest, head.queuedNanos());
        }
        return oldest == Long.MAX_VALUE ? 0 : Math.max(0, System.nanoTime() - oldest) / 1e9;
    }

    private volatile int unjournaledSize;

    private void runJournal() {
        while (!closed) {
            LockSupport.parkNanos(this, flushIntervalNanos);
            if (closed) {
                break;
            }
            try {
                if (journalOnce()) {
                    LockSupport.unpark(thread);
                }
            } catch (RuntimeException e) {
                log.error("usage journal append failed unexpectedly", e);
            }
        }
    }

    /**
     * Moves every queued record into the journal (forced to disk). Records that do not fit are
     * dropped and counted; on an I/O error they are kept in memory and tried again next time.
     *
     * @return true if records were appended
     */
    boolean journalOnce() {
        UsageJournal j = java.util.Objects.requireNonNull(journal);
        synchronized (unjournaled) {
            Entry e;
            while ((e = queue.poll()) != null) {
                queued.decrementAndGet();
                unjournaled.add(e.record());
            }
            unjournaledSize = unjournaled.size();
            if (unjournaled.isEmpty()) {
                return false;
            }
            int appended;
            try {
                appended = j.append(unjournaled);
            } catch (IOException ex) {
                log.error("could not append {} usage records to the journal {}; keeping them in memory and retrying: {}",
                        unjournaled.size(), j.directory(), ex.toString());
                return false;
            }
            int refused = unjournaled.size() - appended;
            if (refused > 0) {
                java.util.Objects.requireNonNull(dropped).increment(refused);
                droppedThisEpisode += refused;
                if (!full) {
                    full = true;
                    log.error("usage journal {} is full ({} of {} bytes): the usage sink has not stored records for {} s; "
                            + "new usage records are dropped until it catches up (metric iploop.usage.journal.dropped)",
                            j.directory(), j.sizeBytes(), j.maxBytes(), Math.round(flushLagSeconds()));
                }
            } else if (full) {
                full = false;
                log.warn("usage journal {} has room again; {} usage records were dropped while it was full", j.directory(),
                        droppedThisEpisode);
                droppedThisEpisode = 0;
            }
            unjournaled.clear();
            unjournaledSize = 0;
            updateAdmitting(j);
            return appended > 0;
        }
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
        if (journal != null) {
            return flushJournal(journal);
        }
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

    /**
     * True while new proxy requests may be admitted: always without a journal; with one, false once
     * it holds {@link #STOP_ADMITTING_AT} of its bound, true again under {@link #ADMIT_AGAIN_AT}. The
     * room above the mark is kept for the records of streams already open, so traffic that could no
     * longer be metered is refused rather than carried unpaid. Any thread; one volatile read.
     */
    public boolean admitting() {
        return admitting;
    }

    private void updateAdmitting(UsageJournal j) {
        double used = (double) j.sizeBytes() / j.maxBytes();
        boolean was = admitting;
        boolean now = was ? used < STOP_ADMITTING_AT : used < ADMIT_AGAIN_AT;
        if (now != was) {
            admitting = now;
            if (now) {
                log.warn("usage journal {} is under {} % of its bound again: admitting new requests", j.directory(),
                        Math.round(ADMIT_AGAIN_AT * 100));
            } else {
                log.error("usage journal {} holds {} % of its bound (the usage sink is not storing records): new requests "
                        + "are refused with 503 metering_unavailable until it drains", j.directory(), Math.round(used * 100));
            }
        }
    }

    /** Writes what the journal holds, batch by batch, acknowledging each stored one. */
    private boolean flushJournal(UsageJournal j) {
        synchronized (flushLock) {
            while (true) {
                UsageJournal.Batch batch;
                try {
                    batch = j.read(MAX_BATCH);
                } catch (IOException e) {
                    log.error("could not read the usage journal {}: {}", j.directory(), e.toString());
                    return false;
                }
                if (batch.records().isEmpty()) {
                    j.acknowledge(batch); // moves past the end of finished segments
                    if (retrySize > 0) {
                        log.info("usage sink is storing records again");
                    }
                    retrySize = 0;
                    return true;
                }
                try {
                    sink.write(batch.records());
                } catch (Exception ex) {
                    if (retrySize == 0) {
                        log.warn("usage sink refused a batch of {} records; they wait in the journal ({} records) and are "
                                + "retried: {}", batch.records().size(), j.pendingRecords(), ex.toString());
                    }
                    retrySize = batch.records().size();
                    return false;
                }
                j.acknowledge(batch);
                updateAdmitting(j);
                if (!batch.replayed()) {
                    written.accept(batch.records());
                }
            }
        }
    }

    private void flushAllQuietly() {
        if (journal != null) {
            journalOnce();
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            if (flushOnce()) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200L << attempt));
        }
        log.error("usage sink keeps failing at shutdown; {} usage records were not written{}", pendingRecords(),
                journal == null ? "" : " (they stay in the journal " + journal.directory() + " for the next start)");
    }

    /** Stops the threads and writes everything still waiting, retrying the sink a few times. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Thread t : new Thread[] {journalThread, thread}) {
            if (t == null) {
                continue;
            }
            LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        flushAllQuietly();
        UsageJournal j = journal;
        if (j != null) {
            j.close();
        }
    }
}
