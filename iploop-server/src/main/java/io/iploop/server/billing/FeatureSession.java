package io.iploop.server.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A time-based targeting session (docs/billing.md#time-based-targeting): targeting beyond the
 * plan, charged per minute from the prepaid credits at the hourly rate of its most expensive
 * option. Immutable snapshot.
 *
 * @param feature the targeting option that sets the rate ({@code city}, {@code state}, {@code isp}, …)
 * @param ratePerHour USD (credits) per hour
 * @param lastUsedAt when the gateway last carried traffic with it
 * @param closedAt when it ended (null: open; it ends 5 minutes after its last use, or when the credits run out)
 * @param closeReason {@code idle} or {@code credits_exhausted}, null while open
 * @param minutesUsed minutes from the start up to and including the minute of the last use
 * @param minutesCharged minutes already deducted from the credits
 * @param chargedUsd USD already deducted
 * @param costSoFarUsd USD of every minute used so far, charged or about to be (the next job run)
 */
public record FeatureSession(
        UUID id,
        String feature,
        BigDecimal ratePerHour,
        Instant startedAt,
        Instant lastUsedAt,
        @Nullable Instant closedAt,
        @Nullable String closeReason,
        long minutesUsed,
        long minutesCharged,
        BigDecimal chargedUsd,
        BigDecimal costSoFarUsd) {}
