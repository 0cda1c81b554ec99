package io.iploop.server.affiliates;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * One commission: the affiliate's share of one campaign wallet top-up (docs/affiliates.md#commission).
 * Immutable.
 *
 * @param customer the referred customer, masked ({@code j***@example.com})
 * @param topUpAmount the top-up, EUR
 * @param amount the commission, EUR, {@code topUpAmount × rate} rounded down to cents, less what refunds and
 *     chargebacks of the top-up took back
 * @param status {@code pending} (in the holding period), {@code available} or {@code reversed} (its top-up was
 *     refunded or charged back in full, docs/affiliates.md#refunds-and-chargebacks)
 * @param availableAt when it leaves (or left) the holding period
 */
public record AffiliateCommission(UUID id, String customer, BigDecimal topUpAmount, BigDecimal amount, String currency,
        String status, Instant createdAt, Instant availableAt) {}
