package io.iploop.server.plans;

import io.iploop.server.platform.Money;
import java.math.BigDecimal;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A plan of the catalogue (docs/product/plans.md#catalogue). Null prices, allowances and limits mean
 * "custom" (Enterprise) or "unlimited". Immutable.
 *
 * @param includedGb monthly allowance in GB (10^9 bytes)
 * @param requestsPerDay proxy requests per UTC day (docs/product/plans.md#rate-limits)
 * @param maxConcurrentConnections proxy connections open at once
 * @param maxStickyLifetimeSeconds longest sticky-session lifetime the plan allows, in seconds
 * @param requestsPerSecond proxy requests per second (docs/product/plans.md#rate-limits)
 * @param stickySessions whether {@code sesstype-sticky} is included (docs/product/plans.md#entitlements)
 * @param targeting proxy targeting parameters included, e.g. {@code country}, {@code city}
 */
public record Plan(
        String id,
        String name,
        @Nullable String description,
        @Nullable Money priceMonthly,
        @Nullable Money priceAnnual,
        @Nullable Money pricePerGb,
        @Nullable Money overagePerGb,
        @Nullable BigDecimal includedGb,
        @Nullable Integer requestsPerDay,
        @Nullable Integer maxConcurrentConnections,
        long maxStickyLifetimeSeconds,
        List<String> features,
        @Nullable Integer requestsPerSecond,
        boolean stickySessions,
        List<String> targeting) {

    public Plan {
        features = List.copyOf(features);
        targeting = List.copyOf(targeting);
    }

    /**
     * True for a pay-as-you-go plan: no included GB and a price per GB, so traffic beyond bought GB
     * is charged from the prepaid USD credits (docs/billing.md#pay-as-you-go).
     */
    public boolean paidFromCredits() {
        return includedGb != null && includedGb.signum() == 0 && pricePerGb != null
                && pricePerGb.amount().signum() > 0;
    }

    /**
     * True when usage beyond the period's GB is allowed and billed at the period end at
     * {@link #overagePerGb()} (docs/billing.md#overage): the plan has included GB (above 0) and a
     * positive overage price. At most {@link #overageCapGb()} GB beyond the balance per period.
     */
    public boolean allowsOverage() {
        return includedGb != null && includedGb.signum() > 0 && overagePerGb != null
                && overagePerGb.amount().signum() > 0;
    }

    /**
     * The most GB a subscription may use beyond its balance in one period: one period's included GB
     * (docs/billing.md#overage), 0 for a plan that does not allow overage.
     */
    public BigDecimal overageCapGb() {
        return allowsOverage() && includedGb != null ? includedGb : BigDecimal.ZERO;
    }

    /**
     * True when {@code subscription} (of this plan) has no byte left for this period, so the proxy
     * answers 402: the plan has an allowance ({@code includedGb} not null) and less than one byte of
     * it remains, as {@code plans.internal.JdbcLimitsProvider} hands the balance to the gateway.
     */
    public boolean exhausted(Subscription subscription) {
        return includedGb != null && subscription.gbBalance().movePointRight(9).compareTo(BigDecimal.ONE) < 0;
    }
}
