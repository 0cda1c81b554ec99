package io.iploop.server.billing;

import io.iploop.gateway.spi.TargetingOption;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Hourly credit rates of time-based targeting (docs/product/billing.md#time-based-targeting): a
 * session is charged by the most expensive targeting option it uses beyond the plan. Country USD
 * 0.50 per hour, city 0.75, state 0.85, ISP 1.00; zip is charged as city and ASN as ISP, the
 * groups the plans put them in (docs/product/plans.md#entitlements). 1 credit = USD 1. Stateless.
 */
public final class TargetingRates {

    /** A session ends this long after its last use (docs/billing.md#time-based-targeting). */
    public static final Duration IDLE_CLOSE = Duration.ofMinutes(5);

    /** Scale of ledger USD amounts (6 decimals). */
    private static final int SCALE = 6;
    private static final BigDecimal MINUTES_PER_HOUR = BigDecimal.valueOf(60);

    private TargetingRates() {}

    /** USD per hour for {@code option}. */
    public static BigDecimal perHour(TargetingOption option) {
        return switch (option) {
            case COUNTRY -> new BigDecimal("0.50");
            case CITY, ZIP -> new BigDecimal("0.75");
            case STATE -> new BigDecimal("0.85");
            case ASN, ISP -> new BigDecimal("1.00");
        };
    }

    /**
     * The cost of the first {@code minutes} minutes at {@code perHour}, rounded half-up to the
     * ledger's 6 decimals. A batch of minutes {@code [a, b)} costs {@code cost(b) - cost(a)}, so
     * the rounding never adds up across batches.
     */
    public static BigDecimal cost(BigDecimal perHour, long minutes) {
        return perHour.multiply(BigDecimal.valueOf(minutes)).divide(MINUTES_PER_HOUR, SCALE, RoundingMode.HALF_UP);
    }
}
