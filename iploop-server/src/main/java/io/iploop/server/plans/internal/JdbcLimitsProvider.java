package io.iploop.server.plans.internal;

import io.iploop.gateway.spi.AccountHold;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.LimitsProvider;
import io.iploop.gateway.spi.TargetingOption;
import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.plans.Plan;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.EnumSet;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The gateway's {@link LimitsProvider}: the limits and entitlements of the account's active plan
 * (its sticky-session lifetime cap included) and the subscription's remaining GB as bytes; the
 * one route by which plan rules reach the data plane. A plan without
 * included GB (Enterprise: custom) has no byte limit; an account without an active plan gets no
 * bytes (402). One indexed query; the gateway calls it off its event loops every few seconds per
 * active account. The account's {@link AccountHold} comes with the limits (so the gateway caches
 * and refreshes it the same way): a one-time password not yet changed, or a trial account
 * (self-registered and still on the subscription it got at sign-up, never moved to another plan by
 * an admin or a purchase) whose e-mail is not verified (docs/product/accounts.md#trial-accounts);
 * otherwise a subscription past its end ({@code expires_at}, not renewed) is held as
 * {@link AccountHold#SUBSCRIPTION_EXPIRED}: 402 {@code subscription_expired}
 * (docs/plans-and-alerts.md#expiry). On a pay-as-you-go plan the bytes are the bought GB plus what
 * the prepaid credits buy at the plan's price per GB (docs/billing.md#pay-as-you-go); on a plan with
 * overage, the balance plus the period's overage cap (docs/billing.md#overage). Thread-safe.
 */
@Component
class JdbcLimitsProvider implements LimitsProvider {

    /** 1 GB = 10^9 bytes (docs/product/plans.md#units). */
    static final BigDecimal BYTES_PER_GB = BigDecimal.TEN.pow(9);
    /** Sticky-session cap when the account has no active plan: the default lifetime, 30 min. */
    static final long DEFAULT_MAX_STICKY_SECONDS = 1800;
    private static final AccountLimits NO_PLAN =
            new AccountLimits(0, 0, 0, 0, false, DEFAULT_MAX_STICKY_SECONDS, EnumSet.of(TargetingOption.COUNTRY));

    private final PlanRepository plans;
    private final AccountsService accounts;

    private final Clock clock;
    private final PaygCharges payg;

    JdbcLimitsProvider(PlanRepository plans, AccountsService accounts, Clock clock, PaygCharges payg) {
        this.payg = payg;
        this.plans = plans;
        this.accounts = accounts;
        this.clock = clock;
    }

    @Override
    public AccountLimits limits(UUID userId) {
        Optional<PlanRepository.PlanAndBalance> active = plans.findActivePlanAndBalance(userId);
        AccountLimits limits = active.map(p -> of(p.plan(), p.plan().paidFromCredits()
                ? p.gbBalance().add(payg.creditsInGb(userId, p.plan())) : p.gbBalance())).orElse(NO_PLAN);
        AccountHold hold = accounts.find(userId).map(this::hold).orElse(null);
        if (hold == null && active.isPresent() && expired(active.get().expiresAt())) {
            hold = AccountHold.SUBSCRIPTION_EXPIRED;
        }
        return limits.withHold(hold);
    }

    /** Past the subscription's end (docs/plans-and-alerts.md#expiry); null is open-ended. */
    private boolean expired(@Nullable Instant expiresAt) {
        return expiresAt != null && !expiresAt.isAfter(clock.instant());
    }

    private @Nullable AccountHold hold(Account account) {
        if (account.mustChangePassword()) {
            return AccountHold.PASSWORD_CHANGE_REQUIRED;
        }
        if (account.selfRegistered() && !account.emailVerified() && plans.countSubscriptions(account.id()) <= 1) {
            return AccountHold.EMAIL_NOT_VERIFIED;
        }
        return null;
    }

    static AccountLimits of(Plan plan, BigDecimal gbBalance) {
        EnumSet<TargetingOption> targeting = EnumSet.noneOf(TargetingOption.class);
        for (String t : plan.targeting()) {
            targeting.add(TargetingOption.valueOf(t.toUpperCase(Locale.ROOT)));
        }
        // A plan with overage may run up to one period's included GB past its balance (docs/billing.md#overage).
        long remaining = plan.includedGb() == null ? AccountLimits.UNLIMITED_BYTES
                : bytes(gbBalance.add(plan.overageCapGb()));
        return new AccountLimits(
                orZero(plan.requestsPerSecond()),
                orZero(plan.requestsPerDay()),
                orZero(plan.maxConcurrentConnections()),
                remaining,
                plan.stickySessions(),
                plan.maxStickyLifetimeSeconds(),
                targeting);
    }

    private static long bytes(BigDecimal gb) {
        BigDecimal b = gb.multiply(BYTES_PER_GB).setScale(0, RoundingMode.FLOOR);
        return b.compareTo(BigDecimal.valueOf(Long.MAX_VALUE - 1)) >= 0 ? Long.MAX_VALUE - 1 : b.longValue();
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }
}
