package io.iploop.gateway.limits;

import io.iploop.gateway.spi.AccountLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The state an {@link AccountLimiter} and a {@link SubUserLimiter} share: the last limits the
 * control plane reported, the byte budget leased from them, a request-rate bucket and the requests
 * of the current UTC day. The limiters add their own checks and refusal texts around it.
 *
 * <p>Byte budget (a lease, so there is no database call per packet): the provider reports the
 * balance its store knows; the store already contains every usage record this gateway had written
 * when the fetch started ({@code persistedAtFetch}). Bytes metered here since then but not yet
 * written are subtracted locally, so {@code remaining = reported - (spent - persistedAtFetch)}.
 * That is conservative (a record written during the fetch counts twice until the next refresh).
 *
 * <p>Thread-safe: counters are atomic, the snapshot is one volatile immutable value, the bucket
 * and the day counter are synchronized.
 *
 * @param <L> the reported limits (immutable)
 */
final class LimitLease<L> {

    private static final long SECONDS_PER_DAY = 86_400;

    private record Snapshot<L>(L limits, long persistedAtFetch, @Nullable TokenBucket bucket) {}

    private final Clock clock;
    private final ToLongFunction<L> reportedBytes;
    private final ToIntFunction<L> requestsPerSecond;
    private volatile Snapshot<L> snapshot;
    private final AtomicLong spent = new AtomicLong();
    private final AtomicLong persisted = new AtomicLong();
    private long day = Long.MIN_VALUE;
    private long requestsToday;
    private volatile long lastUsedNanos = System.nanoTime();
    /** The cluster's counts when the gateway shares limits (docs/deploy.md#shared-limits), else null. */
    private volatile @Nullable ClusterShare share;

    /**
     * @param reportedBytes the bytes the limits allow ({@link AccountLimits#UNLIMITED_BYTES} for no limit)
     * @param requestsPerSecond the request rate the limits allow (0 for no limit)
     */
    LimitLease(L limits, Clock clock, ToLongFunction<L> reportedBytes, ToIntFunction<L> requestsPerSecond) {
        this.clock = clock;
        this.reportedBytes = reportedBytes;
        this.requestsPerSecond = requestsPerSecond;
        this.snapshot = new Snapshot<>(limits, 0, bucket(limits, null));
    }

    L limits() {
        return snapshot.limits();
    }

    /** Joins the cluster's counts (set once, before the limiter is handed out). */
    void share(ClusterShare v) {
        share = v;
    }

    /** The cluster's counts, or null on a gateway that does not share limits. */
    @Nullable ClusterShare share() {
        return share;
    }

    /** Connections other gateways hold open for this principal (0 without a cluster). */
    long othersOpen() {
        ClusterShare s = share;
        return s == null ? 0 : s.othersOpen();
    }

    /** Nanoseconds since the last {@link #touch()}. */
    long unusedNanos(long nowNanos) {
        return nowNanos - lastUsedNanos;
    }

    /** Bytes this gateway's usage records have durably written so far. */
    long persistedBytes() {
        return persisted.get();
    }

    void persisted(long bytes) {
        persisted.addAndGet(bytes);
    }

    /** Installs a fresh report; {@code persistedAtFetch} is {@link #persistedBytes()} read before the fetch. */
    void update(L limits, long persistedAtFetch) {
        Snapshot<L> old = snapshot;
        snapshot = new Snapshot<>(limits, persistedAtFetch, bucket(limits, old.bucket()));
    }

    private @Nullable TokenBucket bucket(L limits, @Nullable TokenBucket old) {
        int rate = requestsPerSecond.applyAsInt(limits);
        if (rate == 0) {
            return null;
        }
        return old != null && old.ratePerSecond() == rate ? old : new TokenBucket(rate, System.nanoTime());
    }

    /** Bytes still allowed; {@link AccountLimits#UNLIMITED_BYTES} when unlimited. */
    long remainingBytes() {
        return remaining(snapshot, spent.get());
    }

    private long remaining(Snapshot<L> s, long spentTotal) {
        long reported = reportedBytes.applyAsLong(s.limits());
        return reported == AccountLimits.UNLIMITED_BYTES ? reported : reported - (spentTotal - s.persistedAtFetch());
    }

    /** Counts {@code bytes} carried: one atomic add, no I/O. @return false once the budget is exhausted */
    boolean spend(long bytes) {
        return remaining(snapshot, spent.addAndGet(bytes)) > 0;
    }

    /**
     * Spends as many of {@code bytes} as the budget still allows, atomically: never more than it
     * has left, so concurrent callers together never take more than the budget.
     *
     * @return the bytes spent, 0 to {@code bytes}
     */
    long take(long bytes) {
        for (;;) {
            long before = spent.get();
            long left = remaining(snapshot, before);
            long taken = Math.min(bytes, Math.max(left, 0));
            if (taken == 0 || spent.compareAndSet(before, before + taken)) {
                return taken;
            }
        }
    }

    /** Takes back {@code bytes} counted by {@link #spend} or {@link #take} that were never carried. */
    void refund(long bytes) {
        spent.addAndGet(-bytes);
    }

    /** Marks the lease as in use now (see {@link #idle}). */
    void touch() {
        lastUsedNanos = System.nanoTime();
    }

    /** Takes one request from the rate bucket. @return 0 if taken, else the nanoseconds until one is free */
    long takeRequest() {
        TokenBucket bucket = snapshot.bucket();
        long wait = bucket == null ? 0 : bucket.tryTake(System.nanoTime());
        ClusterShare s = share;
        if (wait == 0 && s != null && bucket != null) {
            // The cluster-wide cap of the same rate: the requests all gateways counted this second.
            long nowMillis = clock.millis();
            if (!s.takeSecond(bucket.ratePerSecond(), Math.floorDiv(nowMillis, 1000))) {
                return (1000 - Math.floorMod(nowMillis, 1000)) * 1_000_000L;
            }
        }
        return wait;
    }

    /**
     * Counts one request of the current UTC day against {@code perDay} (0 for no limit).
     *
     * @return null if counted, else the time until the day's count resets (00:00 UTC)
     */
    synchronized @Nullable Duration countDay(long perDay) {
        long now = clock.instant().getEpochSecond();
        long today = Math.floorDiv(now, SECONDS_PER_DAY);
        if (today != day) {
            day = today;
            requestsToday = 0;
        }
        if (perDay > 0 && requestsToday >= perDay) {
            return Duration.ofSeconds((today + 1) * SECONDS_PER_DAY - now);
        }
        ClusterShare s = share;
        if (perDay > 0 && s != null && !s.takeDay(perDay, now)) {
            return Duration.ofSeconds((today + 1) * SECONDS_PER_DAY - now);
        }
        requestsToday++;
        return null;
    }

    /** True when unused for {@code idleNanos} and no request is counted today. */
    synchronized boolean idle(long nowNanos, long idleNanos) {
        return nowNanos - lastUsedNanos > idleNanos
                && (requestsToday == 0 || day != Math.floorDiv(clock.instant().getEpochSecond(), SECONDS_PER_DAY));
    }
}
