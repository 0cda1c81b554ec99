package io.iploop.server.plans;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An account's plan (docs/product/plans.md#subscriptions) with its current period
 * (docs/plans-and-alerts.md#periods-and-renewal). Immutable; a snapshot as of loading.
 *
 * @param gbBalance remaining GB (10^9 bytes)
 * @param gbUsed used GB over the subscription's life
 * @param status {@code active}, {@code suspended} or {@code cancelled}
 * @param expiresAt when the subscription ends unless renewed before (null: open-ended); past it the
 *     proxy answers 402 {@code subscription_expired}
 * @param periodStart start of the current period (the subscription's start for plans that do not renew)
 * @param periodEnd end (exclusive) of the current period, when the renewal job grants the next
 *     period's GB; null for plans that do not renew (Trial, Pay-as-you-go, Enterprise)
 * @param periodGbUsed GB used in the current period (10^9 bytes)
 * @param expired whether {@code expiresAt} had passed when this snapshot was loaded (database clock)
 * @param pendingPlanId the plan the subscription moves to at its period end (a scheduled downgrade,
 *     docs/billing.md#plan-changes), or null
 * @param pendingCancel whether the subscription ends at its period end (a scheduled cancellation)
 * @param renewsOnPayment whether a payment provider renews its periods when it reports the next
 *     period paid (card subscriptions); the renewal job then leaves it alone
 */
public record Subscription(
        UUID id,
        String planId,
        String planName,
        BigDecimal gbBalance,
        BigDecimal gbUsed,
        String status,
        Instant startedAt,
        @Nullable Instant expiresAt,
        Instant periodStart,
        @Nullable Instant periodEnd,
        BigDecimal periodGbUsed,
        boolean expired,
        @Nullable String pendingPlanId,
        boolean pendingCancel,
        boolean renewsOnPayment) {}
