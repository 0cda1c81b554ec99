package io.iploop.gateway.limits;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.SubUserLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One sub-user's live limit state in this gateway (docs/sub-users.md#limits), checked in addition
 * to its parent account's {@link AccountLimiter}: the last {@link SubUserLimits}, its own request
 * rate bucket and UTC-day count, and its own byte budget, a lease computed exactly as the
 * account's ({@link AccountLimiter}: {@code remaining = reported - (spent - persistedAtFetch)}),
 * so no database call happens per request or per packet.
 *
 * <p>Thread-safe: counters are atomic, the snapshot is one volatile immutable value, the bucket
 * and the day counter are synchronized.
 */
public final class SubUserLimiter {

    private static final long SECONDS_PER_DAY = 86_400;

    private record Snapshot(SubUserLimits limits, long persistedAtFetch, @Nullable TokenBucket bucket) {}

    private final Clock clock;
    private volatile Snapshot snapshot;
    private final AtomicLong spent = new AtomicLong();
    private final AtomicLong persisted = new AtomicLong();
    private long day = Long.MIN_VALUE;
    private long requestsToday;
    private volatile long lastUsedNanos = System.nanoTime();

    SubUserLimiter(SubUserLimits limits, Clock clock) {
        this.clock = clock;
        this.snapshot = new Snapshot(limits, 0, bucket(limits, null));
    }

    /** The limits last reported by the control plane. */
    public SubUserLimits limits() {
        return snapshot.limits();
    }

    long persistedBytes() {
        return persisted.get();
    }

    void persisted(long bytes) {
        persisted.addAndGet(bytes);
    }

    void update(SubUserLimits limits, long persistedAtFetch) {
        Snapshot old = snapshot;
        snapshot = new Snapshot(limits, persistedAtFetch, bucket(limits, old.bucket()));
    }

    private static @Nullable TokenBucket bucket(SubUserLimits limits, @Nullable TokenBucket old) {
        int rate = limits.requestsPerSecond();
        if (rate == 0) {
            return null;
        }
        return old != null && old.ratePerSecond() == rate ? old : new TokenBucket(rate, System.nanoTime());
    }

    /** Bytes the sub-user may still carry; {@link AccountLimits#UNLIMITED_BYTES} when it has no own limit. */
    public long remainingBytes() {
        return remaining(snapshot, spent.get());
    }

    private static long remaining(Snapshot s, long spentTotal) {
        long reported = s.limits().remainingBytes();
        return reported == AccountLimits.UNLIMITED_BYTES ? reported : reported - (spentTotal - s.persistedAtFetch());
    }

    /**
     * Counts {@code bytes} carried for the sub-user. One atomic add, no I/O.
     *
     * @return false once its budget is exhausted: the caller cuts the stream
     */
    public boolean spend(long bytes) {
        lastUsedNanos = System.nanoTime();
        return remaining(snapshot, spent.addAndGet(bytes)) > 0;
    }

    /**
     * Checks one request against what the account owner allowed this sub-user: its targeting
     * (403 {@code targeting_not_allowed}), its byte limit (402 {@code sub_user_limit_reached}),
     * its requests per second and per UTC day (429). The parent account's plan is checked
     * separately, after this.
     *
     * @return null if the request may proceed (it is then counted), else why not
     */
    public @Nullable Refusal admit(Targeting targeting) {
        lastUsedNanos = System.nanoTime();
        Snapshot s = snapshot;
        SubUserLimits limits = s.limits();
        if (!limits.cityAllowed() && (targeting.city() != null || targeting.state() != null || targeting.zip() != null)) {
            String which = targeting.city() != null ? "city" : targeting.state() != null ? "state" : "zip";
            return new Refusal(ProxyError.TARGETING_NOT_ALLOWED,
                    which + " targeting is not allowed for this sub-user (ask the account owner)", null);
        }
        String country = targeting.country();
        if (!limits.allowedCountries().isEmpty()) {
            if (country == null) {
                return new Refusal(ProxyError.TARGETING_NOT_ALLOWED, "country: this sub-user must target one of "
                        + String.join(", ", limits.allowedCountries().stream().sorted().toList()), null);
            }
            if (!limits.allowedCountries().contains(country.toUpperCase(Locale.ROOT))) {
                return new Refusal(ProxyError.TARGETING_NOT_ALLOWED, "country: " + country.toUpperCase(Locale.ROOT)
                        + " is not allowed for this sub-user (allowed: "
                        + String.join(", ", limits.allowedCountries().stream().sorted().toList()) + ")", null);
            }
        }
        if (remaining(s, spent.get()) <= 0) {
            return new Refusal(ProxyError.SUB_USER_LIMIT_REACHED,
                    "this sub-user's traffic limit is used up; the account owner can raise it on the dashboard", null);
        }
        TokenBucket bucket = s.bucket();
        if (bucket != null) {
            long waitNanos = bucket.tryTake(System.nanoTime());
            if (waitNanos > 0) {
                return new Refusal(ProxyError.RATE_LIMITED,
                        "more than " + limits.requestsPerSecond() + " requests per second for this sub-user",
                        Duration.ofNanos(waitNanos));
            }
        }
        return countDay(limits.requestsPerDay());
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
                    "more than " + perDay + " requests today (UTC) for this sub-user; resets at 00:00 UTC",
                    Duration.ofSeconds(untilMidnight));
        }
        requestsToday++;
        return null;
    }

    /** True when forgetting this state loses nothing: unused for {@code idleNanos} and no request counted today. */
    synchronized boolean idle(long nowNanos, long idleNanos) {
        return nowNanos - lastUsedNanos > idleNanos
                && (requestsToday == 0 || day != Math.floorDiv(clock.instant().getEpochSecond(), SECONDS_PER_DAY));
    }
}
