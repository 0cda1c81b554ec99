package io.iploop.gateway.limits;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.AccountHold;
import io.iploop.gateway.spi.PlanHelp;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.PremiumCredit;
import io.iploop.gateway.spi.TargetingOption;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * One account's live limit state in this gateway, shared by all its keys and connections: the
 * last {@link AccountLimits} from the control plane, a request-rate bucket, the requests of the
 * current UTC day, open connections, and the byte budget.
 *
 * <p>The byte budget is a lease from the last report ({@link LimitLease}), so there is no database
 * call per packet.
 *
 * <p>Targeting beyond the plan may be paid from prepaid credits ({@link PremiumCredit},
 * docs/billing.md#time-based-targeting): the premium options carried since the last report are
 * collected here (a bit mask, one atomic OR when a new option appears) and reported by
 * {@link Limits} with the next refresh, off the event loops.
 *
 * <p>Thread-safe: the lease is, the connection count and the premium use are atomic.
 */
public final class AccountLimiter {

    private final LimitLease<AccountLimits> lease;
    private final ConnectionSlots slots = new ConnectionSlots();
    private final Clock clock;
    private volatile PremiumCredit credit;
    /** Premium options carried since the last report, bit {@code ordinal()} of {@link TargetingOption}. */
    private final AtomicInteger premiumUsed = new AtomicInteger();
    /** Epoch millis of the last premium traffic. */
    private volatile long premiumLastUsedMillis;

    AccountLimiter(AccountLimits limits, Clock clock) {
        this(limits, PremiumCredit.NONE, clock);
    }

    AccountLimiter(AccountLimits limits, PremiumCredit credit, Clock clock) {
        this.lease = new LimitLease<>(limits, clock, AccountLimits::remainingBytes, AccountLimits::requestsPerSecond);
        this.clock = clock;
        this.credit = credit;
    }

    /** What the account's prepaid credits pay for, as last reported. */
    public PremiumCredit credit() {
        return credit;
    }

    void credit(PremiumCredit v) {
        credit = v;
    }

    /**
     * The targeting options of {@code targeting} beyond the plan, as a bit mask (bit
     * {@code ordinal()}); 0 when the plan includes all. Such a request was admitted only because
     * credits pay for them, so its traffic is reported with {@link #premiumCarried(int)}.
     */
    public int premiumMask(Targeting targeting) {
        AccountLimits limits = lease.limits();
        int mask = 0;
        for (TargetingOption option : TargetingOption.values()) {
            if (targeting.targets(option) && !limits.targeting().contains(option)) {
                mask |= 1 << option.ordinal();
            }
        }
        return mask;
    }

    /**
     * Notes traffic carried with the premium options of {@code mask} now. Called per read/write of
     * such a stream on an event loop: a clock read, a volatile write and, only when an option is
     * new since the last report, a CAS.
     */
    public void premiumCarried(int mask) {
        if (mask == 0) {
            return;
        }
        premiumLastUsedMillis = clock.millis();
        if ((premiumUsed.get() & mask) != mask) {
            premiumUsed.getAndUpdate(m -> m | mask);
        }
    }

    /** Takes the premium options carried since the last call (empty when none) for a report. */
    Set<TargetingOption> drainPremium() {
        int mask = premiumUsed.getAndSet(0);
        EnumSet<TargetingOption> options = EnumSet.noneOf(TargetingOption.class);
        for (TargetingOption option : TargetingOption.values()) {
            if ((mask & (1 << option.ordinal())) != 0) {
                options.add(option);
            }
        }
        return options;
    }

    /** Puts options back whose report failed, so the next refresh reports them again. */
    void undrainPremium(Set<TargetingOption> options) {
        int mask = 0;
        for (TargetingOption option : options) {
            mask |= 1 << option.ordinal();
        }
        int m = mask;
        premiumUsed.getAndUpdate(v -> v | m);
    }

    /** Epoch millis of the last premium traffic (0: none yet). */
    long premiumLastUsedMillis() {
        return premiumLastUsedMillis;
    }

    /** The shared state (the cluster's counts hang on it). */
    LimitLease<AccountLimits> lease() {
        return lease;
    }

    /** The limits last reported by the control plane. */
    public AccountLimits limits() {
        return lease.limits();
    }

    /** Bytes this gateway's usage records for the account have durably written so far. */
    long persistedBytes() {
        return lease.persistedBytes();
    }

    void persisted(long bytes) {
        lease.persisted(bytes);
    }

    /** Installs a fresh report; {@code persistedAtFetch} is {@link #persistedBytes()} read before the fetch. */
    void update(AccountLimits limits, long persistedAtFetch) {
        lease.update(limits, persistedAtFetch);
    }

    /** Bytes the account may still carry; {@link AccountLimits#UNLIMITED_BYTES} when unlimited. */
    public long remainingBytes() {
        return lease.remainingBytes();
    }

    /**
     * Counts {@code bytes} carried for the account (either direction). Called per read/write on
     * an event loop: one atomic add, no I/O.
     *
     * @return false once the budget is exhausted: the caller cuts the stream
     */
    public boolean spend(long bytes) {
        return lease.spend(bytes);
    }

    /**
     * Spends as many of {@code bytes} as the budget has left, for a write that is cut exactly at
     * the budget. One atomic compare-and-set (retried under contention), no I/O.
     *
     * @return the bytes spent, 0 to {@code bytes}; 0 once the budget is exhausted
     */
    public long take(long bytes) {
        return lease.take(bytes);
    }

    /**
     * Takes back {@code bytes} (0 or more) that {@link #spend} or {@link #take} counted for a write that never
     * reached the customer socket (the connection closed first). One atomic add, no I/O.
     */
    public void refund(long bytes) {
        lease.refund(bytes);
    }

    /** Open connections counted against {@link AccountLimits#maxConcurrentConnections()}. */
    public int openConnections() {
        return slots.open();
    }

    /** Takes a connection slot; pair with {@link #release()}. @return false at the limit */
    public boolean tryAcquire() {
        lease.touch();
        return slots.tryAcquire(lease.limits().maxConcurrentConnections(), lease.othersOpen());
    }

    /** Gives back a slot taken by {@link #tryAcquire()}. */
    public void release() {
        slots.release();
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
        lease.touch();
        AccountLimits limits = lease.limits();
        AccountHold hold = limits.hold();
        if (hold != null) {
            return new Refusal(ProxyError.of(hold), holdMessage(hold), null);
        }
        TargetingOption missing = missingEntitlement(targeting, limits);
        if (missing != null) {
            Refusal unpaid = premiumRefusal(targeting, limits, missing);
            if (unpaid != null) {
                return unpaid;
            }
        }
        if (targeting.sessionType().sticky() && !limits.stickySessions()) {
            return new Refusal(ProxyError.TARGETING_NOT_IN_PLAN,
                    "sesstype: sticky sessions are not included in your plan; " + PLAN_HELP, null);
        }
        if (lease.remainingBytes() <= 0) {
            return new Refusal(ProxyError.BALANCE_EXHAUSTED,
                    "your GB balance for this period is used up; " + PLAN_HELP, null);
        }
        long waitNanos = lease.takeRequest();
        if (waitNanos > 0) {
            return new Refusal(ProxyError.RATE_LIMITED,
                    "more than " + limits.requestsPerSecond() + " requests per second", Duration.ofNanos(waitNanos));
        }
        Duration untilMidnight = lease.countDay(limits.requestsPerDay());
        return untilMidnight == null ? null : new Refusal(ProxyError.DAILY_LIMIT_REACHED,
                "more than " + limits.requestsPerDay() + " requests today (UTC); resets at 00:00 UTC", untilMidnight);
    }

    /**
     * Targeting beyond the plan: admitted when the credits pay for every such option (the request
     * is then a premium one, {@link #premiumMask}); else 402 {@code credits_exhausted} for an
     * account that pays targeting with credits, 403 {@code targeting_not_in_plan} for one that does
     * not (docs/billing.md#time-based-targeting).
     */
    private @Nullable Refusal premiumRefusal(Targeting targeting, AccountLimits limits, TargetingOption firstMissing) {
        PremiumCredit c = credit;
        TargetingOption unpaid = null;
        for (TargetingOption option : TargetingOption.values()) {
            if (targeting.targets(option) && !limits.targeting().contains(option) && !c.payable().contains(option)) {
                unpaid = option;
                break;
            }
        }
        if (unpaid == null) {
            return null;
        }
        if (c.creditsInUse()) {
            return new Refusal(ProxyError.CREDITS_EXHAUSTED, unpaid.parameter()
                    + " targeting is not in your plan and your prepaid credits no longer cover it; " + PLAN_HELP, null);
        }
        return new Refusal(ProxyError.TARGETING_NOT_IN_PLAN,
                firstMissing.parameter() + " targeting is not included in your plan; " + PLAN_HELP, null);
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
        long capSeconds = lease.limits().maxStickyLifetimeSeconds();
        if (capSeconds > 0 && targeting.stickyLifetime().toSeconds() > capSeconds) {
            return targeting.withLifetime(Duration.ofSeconds(capSeconds));
        }
        return targeting;
    }

    /**
     * True when forgetting this state loses nothing: no connection open, nothing admitted for
     * {@code idleNanos} (so every usage record is written) and no request counted today.
     */
    boolean idle(long nowNanos, long idleNanos) {
        return slots.open() == 0 && premiumUsed.get() == 0 && lease.idle(nowNanos, idleNanos);
    }
}
