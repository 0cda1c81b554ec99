package io.iploop.gateway.spi;

import java.util.EnumSet;
import java.util.Set;

/**
 * What an account's prepaid credits pay for now, beyond its plan's targeting
 * (docs/billing.md#time-based-targeting): the gateway lets a request use targeting its plan does
 * not include when every such option is in {@link #payable()}; otherwise it refuses with 402
 * {@code credits_exhausted} when {@link #creditsInUse()}, else with 403
 * {@code targeting_not_in_plan} as without credits. Cached and refreshed with the limits. Immutable.
 *
 * @param payable targeting options the credits may pay for now (the balance covers them)
 * @param creditsInUse whether the account pays targeting with credits at all (it has a balance or
 *     had a paid session): decides between 402 and 403 when {@link #payable()} falls short
 */
public record PremiumCredit(Set<TargetingOption> payable, boolean creditsInUse) {

    /** No credits: the plan's targeting only. */
    public static final PremiumCredit NONE = new PremiumCredit(EnumSet.noneOf(TargetingOption.class), false);

    public PremiumCredit {
        payable = payable.isEmpty() ? EnumSet.noneOf(TargetingOption.class) : EnumSet.copyOf(payable);
    }
}
