package io.iploop.server.billing;

import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Customer revenue against operator earnings of one period (docs/billing.md#admin-finance). Immutable.
 *
 * @param from start, inclusive
 * @param to end, exclusive
 * @param revenueUsd customer revenue net of refunds and VAT ({@link RevenueReport.Row#netRevenueCents})
 * @param operatorEarningsCredits earn credits credited to operators in the period (issued plus manual
 *     adjustments, from the ledger), 1 credit = USD 0.001
 * @param operatorEarningsUsd {@code operatorEarningsCredits × 0.001}
 * @param marginUsd {@code revenueUsd - operatorEarningsUsd}
 * @param marginPercent {@code marginUsd / revenueUsd × 100}, 2 decimals; null without revenue
 */
public record MarginReport(Instant from, Instant to, BigDecimal revenueUsd, long operatorEarningsCredits,
        BigDecimal operatorEarningsUsd, BigDecimal marginUsd, @Nullable BigDecimal marginPercent) {}
