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
 * @param amount the commission, EUR, {@code topUpAmount × rate} rounded half-up to 6 decimals
 * @param status {@code pending} (in the holding period) or {@code available}
 * @param availableAt when it leaves (or left) the holding period
 */
public record AffiliateCommission(UUID id, String customer, BigDecimal topUpAmount, BigDecimal amount, String currency,
        String status, Instant createdAt, Instant availableAt) {}
