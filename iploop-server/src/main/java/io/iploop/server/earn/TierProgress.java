package io.iploop.server.earn;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * An operator's tier and the way to the next (docs/product/earn.md#tiers). GB are 10^9 bytes (docs/product/README.md#units). Immutable.
 *
 * @param tier {@code bronze}, {@code silver} or {@code gold}; never goes down
 * @param ratePerGbUsd the tier's base rate in USD per GB
 * @param creditsPerGb the same rate in credits (1 credit = USD 0.001)
 * @param bonusMultiplier the tier's bonus relative to bronze (already in the rate, shown for display)
 * @param lifetimeGb GB credited since enrolment, 6 decimals rounded down
 * @param nextTier the next tier, or null at gold
 * @param nextTierGb lifetime GB the next tier needs, or null at gold
 * @param gbToNextTier GB still to share, or null at gold
 * @param percentToNext 0-100 of the way from this tier's threshold to the next (100 at gold)
 */
public record TierProgress(String tier, BigDecimal ratePerGbUsd, BigDecimal creditsPerGb, BigDecimal bonusMultiplier,
        BigDecimal lifetimeGb, @Nullable String nextTier, @Nullable BigDecimal nextTierGb,
        @Nullable BigDecimal gbToNextTier, int percentToNext) {}
