package io.iploop.server.plans;

import io.iploop.server.platform.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * A subscription's period closed with usage beyond everything it had (docs/billing.md#overage):
 * published once per subscription and period, inside the transaction that renews (or ends) the
 * period with its row locked, so a listener's writes (billing's invoice and ledger transaction)
 * commit or roll back with the renewal. Never published for plans without overage.
 *
 * @param planId the plan the closed period ran on (before any scheduled change applied at its end)
 * @param periodStart start of the closed period (with {@code subscriptionId}, the period's key)
 * @param periodEnd end (exclusive) of the closed period
 * @param overageGb GB (10^9 bytes) used beyond the period's balance, &gt; 0, 9 decimals
 * @param overagePerGb the plan's overage price per GB at the period end
 * @param renewsOnPayment whether a payment provider (Stripe) collects the subscription
 */
public record PeriodOverage(UUID userId, UUID subscriptionId, String planId, Instant periodStart,
        Instant periodEnd, BigDecimal overageGb, Money overagePerGb, boolean renewsOnPayment) {}
