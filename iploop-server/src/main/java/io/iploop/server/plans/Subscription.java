package io.iploop.server.plans;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An account's plan (docs/product/plans.md#subscriptions). Immutable.
 *
 * @param gbBalance remaining GB (10^9 bytes)
 * @param gbUsed used GB
 * @param status {@code active}, {@code suspended} or {@code cancelled}
 */
public record Subscription(
        UUID id,
        String planId,
        String planName,
        BigDecimal gbBalance,
        BigDecimal gbUsed,
        String status,
        Instant startedAt,
        @Nullable Instant expiresAt) {}
