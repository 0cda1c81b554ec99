package io.iploop.gateway.limits;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.AccountHold;
import io.iploop.gateway.spi.PlanHelp;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.TargetingOption;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One account's live limit state in this gateway, shared by all its keys and connections: the
 * last {@link AccountLimits} from the control plane, a request-rate bucket, the requests of the
 * current UTC day, open connections, and the byte budget.
 *
 * <p>Byte budget (a lease, so there is no database call per packet): the provider reports the
 * balance its store knows; the store already contains every usage record this gateway had written
 * when the fetch started ({@code persistedAtFetch}). Bytes metered here since then but not yet
 * written are subtracted locally, so {@code remaining = reported - (spent - persistedAtFetch)}.
 * That is conservative (a record written during the fetch counts twice until the next refresh).
 *
 * <p>Thread-safe: counters are atomic, the snapshot is one volatile immutable value, the bucket
 * and the day counter are synchronized.
 */
public final class AccountLimiter {

    private static final long SECONDS_PER_DAY = 86_400;

    private record Snapshot(AccountLimits limits, long persistedAtFetch, @Nullable TokenBucket bucket) {}

    private final Clock clock;
    private volatile Snapshot snapshot;
    private final AtomicLong spent = new AtomicLong();
    private final AtomicLong persisted = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();
    private long day = Long.MIN_VALUE;
    private long requestsToday;
    private volatile long lastUsedNanos = System.nanoTime();

    AccountLimiter(AccountLimits limits, Clock clock) {
        this.clock = clock;
        this.snapshot = new Snapshot(limits, 0, bucket(limits, null));
    }

    /** The limits last reported by the control plane. */
    public AccountLimits limits() {
        return snapshot.limits();
    }

    /** Bytes this gateway's usage records for the account have durably written so far. */
    long persistedBytes() {
        return persisted.get();
    }

    void persisted(long bytes) {
        persisted.addAndGet(bytes);
    }

    /** Installs a fresh report; {@code persistedAtFetch} is {@link #persistedBytes()} read before the fetch. */
    void update(AccountLimits limits, long persistedAtFetch) {
        Snapshot old = snapshot;
        snapshot = new Snapshot(limits, persistedAtFetch, bucket(limits, old.bucket()));
    }

    private static @Nullable TokenBucket bucket(AccountLimits limits, @Nullable TokenBucket old) {
        int rate = limits.requestsPerSecond();
        if (rate == 0) {
            return null;
        }
        return old != null && old.ratePerSecond() == rate ? old : new TokenBucket(rate, System.nanoTime());
    }

    /** Bytes the account may still carry; {@link AccountLimits#UNLIMITED_BYTES} when unlimited. */
    public long remainingBytes() {
        return remaining(snapshot, spent.get());
    }

    private static long remaining(Snapshot s, long spentTotal) {
        long reported = s.limits().remainingBytes();
        return reported == AccountLimits.UNLIMITED_BYTES ? reported : reported - (spentTotal - s.persistedAtFetch());
    }

    /**
     * Counts {@code bytes} carried for the account (either direction). Called per read/write on
     * an event loop: one atomic add, no I/O.
     *
     * @return false once the budget is exhausted: the caller cuts the stream
     */
    public boolean spend(long bytes) {
        return remaining(snapshot, spent.addAndGet(bytes)) > 0;
    }

    /** Open connections counted against {@link AccountLimits#maxConcurrentConnections()}. */
    public int openConnections() {
        return open.get();
    }

    /** Takes a connection slot; pair with {@link #release()}. @return false at the limit */
    public boolean tryAcquire() {
        int max = snapshot.limits().maxConcurrentConnections();
        lastUsedNanos = System.nanoTime();
        while (true) {
            int n = open.get();
            if (max > 0 && n >= max) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    public void release() {
        open.decrementAndGet();
    }

    /** The end of every plan refusal: where to see the plan and get more ({@link PlanHelp}). */
    private static final String PLAN_HELP = "your plan and how to get more are on the dashboard at " + PlanHelp.PATH;

    /**
     * Checks one request against the account's hold (403, or 402 for an expired subscription: {@link AccountLimits#hold()}) and the
     * plan: targeting entitlements (403), the byte balance (402),
     * requests per second and per UTC day (429). The concurrency slot is taken separately
     * ({@link #tryAcquire()}) because it belongs to the connection, not the request.
     *
     * @return null if the request may proceed (it is then counted), else why not
     */
    public @Nullable Refusal admit(Targeting targeting) {
        lastUsedNanos = System.nanoTime();
        Snapshot s = snapshot;
        AccountLimits limits = s.limits();
        AccountHold hold = limits.hold();
        if (hold != null) {
            return new Refusal(ProxyError.of(hold), holdMessage(hold), null);
        }
        TargetingOption missing = missingEntitlement(targeting, limits);
        if (missing != null) {
            return new Refusal(ProxyError.TARGETING_NOT_IN_PLAN,
                    missing.parameter() + " targeting is not included in your plan; " + PLAN_HELP,
                    null);
        }
        if (targeting.sessionType().sticky() && !limits.stickySessions()) {
            return new Refusal(ProxyError.TARGETING_NOT_IN_PLAN,
                    "sesstype: sticky sessions are not included in your plan; " + PLAN_HELP, null);
        }
        if (remaining(s, spent.get()) <= 0) {
            return new Refusal(ProxyError.BALANCE_EXHAUSTED,
                    "your GB balance for this period is used up; " + PLAN_HELP, null);
        }
        TokenBucket bucket = s.bucket();
        if (bucket != null) {
            long waitNanos = bucket.tryTake(System.nanoTime());
            if (waitNanos > 0) {
                return new Refusal(ProxyError.RATE_LIMITED,
                        "more than " + limits.requestsPerSecond() + " requests per second", Duration.ofNanos(waitNanos));
            }
        }
        return countDay(limits.requestsPerDay());
    }

    private static String holdMessage(AccountHold hold) {
        return switch (hold) {
            case EMAIL_NOT_VERIFIED -> "verify your e-mail address before using the proxy "
                    + "(open the link we mailed you, or resend it from the dashboard)";
            case PASSWORD_CHANGE_REQUIRED -> "change your one-time password in the "
                    + "dashboard before using the proxy";
            case SUBSCRIPTION_EXPIRED -> "your subscription has expired; " + PLAN_HELP;
        };
    }

    private synchronized @Nullable Refusal countDay(long perDay) {
        long now = clock.instant().getEpochSecond();
        long today = Math.floorDiv(now, SECONDS_PER_DAY);
        if (today != day) {
            day = today;
            requestsToday = 0;
        }
        if (perDay > 0 && requestsToday >= perDay) {
            long untilMidnight = (today + 1) * SECONDS_PER_DAY - now;
            return new Refusal(ProxyError.DAILY_LIMIT_REACHED,
                    "more than " + perDay + " requests today (UTC); resets at 00:00 UTC", Duration.ofSeconds(untilMidnight));
        }
        requestsToday++;
        return null;
    }

    /** The first targeting option (in {@link TargetingOption} order) used but not in the plan, or null. */
    private static @Nullable TargetingOption missingEntitlement(Targeting t, AccountLimits limits) {
        for (TargetingOption option : TargetingOption.values()) {
            if (t.targets(option) && !limits.targeting().contains(option)) {
                return option;
            }
        }
        return null;
    }

    /**
     * Applies the plan's sticky-session lifetime cap (docs/product/proxy.md#sessions): the lifetime
     * the customer asked for, or the default one ({@link Targeting#stickyLifetime()}), is cut to
     * {@link AccountLimits#maxStickyLifetimeSeconds()}. The one place the cap is applied.
     *
     * @return {@code targeting}, or a copy with the capped lifetime
     */
    public Targeting capLifetime(Targeting targeting) {
        long capSeconds = snapshot.limits().maxStickyLifetimeSeconds();
        if (capSeconds > 0 && targeting.stickyLifetime().toSeconds() > capSeconds) {
            return targeting.withLifetime(Duration.ofSeconds(capSeconds));
        }
        return targeting;
    }

    /**
     * True when forgetting this state loses nothing: no connection open, nothing admitted for
     * {@code idleNanos} (so every usage record is written) and no request counted today.
     */
    synchronized boolean idle(long nowNanos, long idleNanos) {
        return open.get() == 0 && nowNanos - lastUsedNanos > idleNanos
                && (requestsToday == 0 || day != Math.floorDiv(clock.instant().getEpochSecond(), SECONDS_PER_DAY));
    }
}
