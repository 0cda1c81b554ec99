package io.iploop.server.billing.internal;

import io.iploop.gateway.spi.TargetingOption;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.TargetingRates;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlansService;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The targeting options time-based feature sessions charge for (docs/billing.md#time-based-targeting),
 * with the hourly rates of {@link TargetingRates} and, for the caller, whether the plan includes the
 * option (never charged) and whether the prepaid credits pay for starting a session with it (one hour
 * at its rate). Read-only; thread-safe.
 */
@Component
class TargetingFeatures {

    private final BillingService billing;
    private final PlansService plans;

    TargetingFeatures(BillingService billing, PlansService plans) {
        this.billing = billing;
        this.plans = plans;
    }

    /** Every targeting option, in {@link TargetingOption} order. */
    List<Feature> features(UUID userId) {
        BigDecimal balance = billing.creditBalance(userId);
        List<String> included = plans.current(userId).flatMap(s -> plans.find(s.planId())).map(Plan::targeting)
                .orElse(List.of());
        return Arrays.stream(TargetingOption.values()).map(o -> {
            BigDecimal perHour = TargetingRates.perHour(o);
            boolean inPlan = included.contains(o.parameter());
            return new Feature(o.parameter(), perHour, TargetingRates.cost(perHour, 1), inPlan,
                    inPlan || balance.compareTo(perHour) >= 0);
        }).toList();
    }

    /**
     * One option.
     *
     * @param feature the proxy-password parameter ({@code country}, {@code city}, {@code state}, {@code zip},
     *     {@code asn}, {@code isp})
     * @param ratePerHourUsd credits (USD) per hour of a session that uses it beyond the plan
     * @param ratePerMinuteUsd what each minute costs, 6 decimals
     * @param includedInPlan the caller's plan includes it: never charged by the hour
     * @param available included, or the balance covers one hour at its rate (a session can start)
     */
    record Feature(String feature, BigDecimal ratePerHourUsd, BigDecimal ratePerMinuteUsd, boolean includedInPlan,
            boolean available) {}
}
