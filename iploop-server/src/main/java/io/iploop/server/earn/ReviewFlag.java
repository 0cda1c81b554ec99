package io.iploop.server.earn;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An earnings jump that needs an admin's look before the user's next cash-out is approved
 * (docs/earn-fraud.md). Immutable.
 *
 * @param nodeId the device whose period jumped, or null for an owner-wide jump
 * @param scope {@code device} or {@code owner}
 * @param periodCredits the credits that jumped (one device-period, or the owner's last 24 h)
 * @param trailingAverage what was normal before: the device's average per period, or the owner's
 *     average per day over the week before
 * @param clearedAt null while open
 */
public record ReviewFlag(UUID id, UUID userId, @Nullable UUID nodeId, String scope, long periodCredits,
        BigDecimal trailingAverage, String reason, Instant createdAt, @Nullable Instant clearedAt) {}
