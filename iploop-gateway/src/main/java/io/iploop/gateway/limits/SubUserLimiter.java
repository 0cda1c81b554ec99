package io.iploop.gateway.limits;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.SubUserLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One sub-user's live limit state in this gateway (docs/sub-users.md#limits), checked in addition
 * to its parent account's {@link AccountLimiter}: the last {@link SubUserLimits}, its own request
 * rate bucket and UTC-day count, its open connections, and its own byte budget, leased exactly as
 * the account's ({@link LimitLease}), so no database call happens per request or per packet.
 *
 * <p>Thread-safe, as its lease is, and the connection count is atomic.
 */
public final class SubUserLimiter {

    private final LimitLease<SubUserLimits> lease;
    private final ConnectionSlots slots = new ConnectionSlots();

    SubUserLimiter(SubUserLimits limits, Clock clock) {
        this.lease = new LimitLease<>(limits, clock, SubUserLimits::remainingBytes, SubUserLimits::requestsPerSecond);
    }

    /** The shared state (the cluster's counts hang on it). */
    LimitLease<SubUserLimits> lease() {
        return lease;
    }

    /** The limits last reported by the control plane. */
    public SubUserLimits limits() {
        return lease.limits();
    }

    long persistedBytes() {
        return lease.persistedBytes();
    }

    void persisted(long bytes) {
        lease.persisted(bytes);
    }

    void update(SubUserLimits limits, long persistedAtFetch) {
        lease.update(limits, persistedAtFetch);
    }

    /** Bytes the sub-user may still carry; {@link AccountLimits#UNLIMITED_BYTES} when it has no own limit. */
    public long remainingBytes() {
        return lease.remainingBytes();
    }

    /**
     * Counts {@code bytes} carried for the sub-user. One atomic add, no I/O.
     *
     * @return false once its budget is exhausted: the caller cuts the stream
     */
    public boolean spend(long bytes) {
        lease.touch();
        return lease.spend(bytes);
    }

    /** As {@link AccountLimiter#take}: spends as many of {@code bytes} as the sub-user's budget has left. */
    public long take(long bytes) {
        lease.touch();
        return lease.take(bytes);
    }

    /** As {@link AccountLimiter#refund}: takes back bytes spent for a write that was never carried. */
    public void refund(long bytes) {
        lease.refund(bytes);
    }

    /** Open connections counted against {@link SubUserLimits#maxConcurrentConnections()}. */
    public int openConnections() {
        return slots.open();
    }

    /**
     * Takes one of the sub-user's connection slots, as {@link AccountLimiter#tryAcquire()} does for
     * the account (whose slot the connection takes as well); pair with {@link #release()}.
     *
     * @return false when the sub-user already has {@link SubUserLimits#maxConcurrentConnections()}
     *     open (429 {@code concurrency_limited})
     */
    public boolean tryAcquire() {
        lease.touch();
        return slots.tryAcquire(lease.limits().maxConcurrentConnections(), lease.othersOpen());
    }

    /** Gives back a slot taken by {@link #tryAcquire()}. */
    public void release() {
        slots.release();
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
        lease.touch();
        SubUserLimits limits = lease.limits();
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
        if (lease.remainingBytes() <= 0) {
            return new Refusal(ProxyError.SUB_USER_LIMIT_REACHED,
                    "this sub-user's traffic limit is used up; the account owner can raise it on the dashboard", null);
        }
        long waitNanos = lease.takeRequest();
        if (waitNanos > 0) {
            return new Refusal(ProxyError.RATE_LIMITED,
                    "more than " + limits.requestsPerSecond() + " requests per second for this sub-user",
                    Duration.ofNanos(waitNanos));
        }
        Duration untilMidnight = lease.countDay(limits.requestsPerDay());
        return untilMidnight == null ? null : new Refusal(ProxyError.DAILY_LIMIT_REACHED,
                "more than " + limits.requestsPerDay() + " requests today (UTC) for this sub-user; resets at 00:00 UTC",
                untilMidnight);
    }

    /**
     * True when forgetting this state loses nothing: no connection open (its slot would be given
     * back to a forgotten limiter), unused for {@code idleNanos} and no request counted today.
     */
    boolean idle(long nowNanos, long idleNanos) {
        return slots.open() == 0 && lease.idle(nowNanos, idleNanos);
    }
}
