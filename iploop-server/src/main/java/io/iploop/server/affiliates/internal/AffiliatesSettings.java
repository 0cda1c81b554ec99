package io.iploop.server.affiliates.internal;

import java.math.BigDecimal;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code iploop.affiliates.*} (docs/affiliates.md#configuration), fed by environment variables in
 * {@code application.properties}. Immutable.
 *
 * @param commissionRate share of each top-up, 0 to 1 (0.20)
 * @param holdingPeriod how long a commission stays pending before it can be paid out (30 days),
 *     room for a refund or chargeback to surface
 * @param minimumPayout the smallest payout in EUR (50)
 * @param cookieMaxAge lifetime of the {@code iploop_ref} visitor cookie (90 days)
 */
@ConfigurationProperties("iploop.affiliates")
record AffiliatesSettings(
        @DefaultValue("0.20") BigDecimal commissionRate,
        @DefaultValue("30d") Duration holdingPeriod,
        @DefaultValue("50") BigDecimal minimumPayout,
        @DefaultValue("90d") Duration cookieMaxAge) {

    AffiliatesSettings {
        if (commissionRate.signum() < 0 || commissionRate.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException("iploop.affiliates.commission-rate: " + commissionRate + " (expected: 0 to 1)");
        }
        if (holdingPeriod.isNegative()) {
            throw new IllegalArgumentException("iploop.affiliates.holding-period: " + holdingPeriod + " (expected: >= 0)");
        }
        if (minimumPayout.signum() <= 0) {
            throw new IllegalArgumentException("iploop.affiliates.minimum-payout: " + minimumPayout + " (expected: > 0)");
        }
    }
}
