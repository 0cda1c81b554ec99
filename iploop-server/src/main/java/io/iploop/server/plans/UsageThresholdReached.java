package io.iploop.server.plans;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A subscription's usage reached one or more alert thresholds for the first time in its current
 * period (docs/plans-and-alerts.md#usage-alerts): published once per subscription, period and
 * threshold, inside the transaction that records the alert, so a listener's writes (a webhook
 * outbox row) commit or roll back with it.
 *
 * @param userId         the customer
 * @param subscriptionId the subscription ({@code user_plans} row)
 * @param planId         the plan's id
 * @param thresholds     the percentages newly reached, ascending (80, 100, or the custom one)
 * @param periodStart    start of the period the thresholds belong to
 * @param periodGbUsed   decimal GB (10^9 bytes) used in the period when the alert fired
 * @param gbBalance      decimal GB left when the alert fired (never negative)
 */
public record UsageThresholdReached(UUID userId, UUID subscriptionId, String planId, List<Integer> thresholds,
        Instant periodStart, BigDecimal periodGbUsed, BigDecimal gbBalance) {

    public UsageThresholdReached {
        thresholds = List.copyOf(thresholds);
    }
}
