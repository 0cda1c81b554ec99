package io.iploop.server.earn;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * How one device-period's credits were computed (docs/product/earn.md#credit-calculation {@code device_earnings}):
 * {@code totalCredits = floor(baseCredits × multiplier + carry)}, the fraction carried to the
 * device's next period. Immutable.
 *
 * @param baseCredits {@code bytes / 2^30 × ratePerGbUsd × 1000}, exact
 * @param multiplier deviceMultiplier × uptimeMultiplier × geoMultiplier
 * @param transactionId the ledger EARN_CREDIT, or null when the period came to 0 whole credits
 */
public record DeviceEarning(long id, UUID deviceId, @Nullable String deviceName, Instant periodStart, Instant periodEnd,
        long bytes, String tier, BigDecimal ratePerGbUsd, BigDecimal baseCredits, BigDecimal deviceMultiplier,
        BigDecimal uptimeMultiplier, BigDecimal geoMultiplier, String geoTier, BigDecimal multiplier,
        long totalCredits, @Nullable UUID transactionId) {

    /** This period with the device's name as the nodes feature knows it now. */
    public DeviceEarning withDeviceName(@Nullable String name) {
        return new DeviceEarning(id, deviceId, name, periodStart, periodEnd, bytes, tier, ratePerGbUsd, baseCredits,
                deviceMultiplier, uptimeMultiplier, geoMultiplier, geoTier, multiplier, totalCredits, transactionId);
    }
}
