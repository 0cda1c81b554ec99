package io.iploop.server.earn;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * How one device-period's credits were computed (docs/product/earn.md#credit-calculation, {@code device_earnings}):
 * {@code totalCredits = floor(carryIn + base(paidBytes) × multiplier + base(trialBytes) × trialMultiplier)},
 * {@code carryOut} (0 to below 1 credit) carried to the device's next period. A period is one
 * interval of one sharing state: the multipliers are those recorded when its bytes were carried.
 * Immutable.
 *
 * @param bytes all bytes the device carried in the period; only {@code paidBytes} and {@code trialBytes} earn
 * @param ratePerGbUsd the tier's base rate, USD per GB of {@code bytesPerGb} bytes
 * @param baseCredits {@code (paidBytes + trialBytes) / bytesPerGb × ratePerGbUsd × 1000}, exact
 * @param multiplier deviceMultiplier × uptimeMultiplier × geoMultiplier
 * @param countedDevices the operator's sharing devices (distinct networks) while the bytes were
 *     carried, or null for periods credited before that was recorded
 * @param geoCountry the GeoIP country behind {@code geoMultiplier}, or null (no evidence)
 * @param trialMultiplier what trial bytes were multiplied by (1 unless trial multipliers are on)
 * @param carryIn the fraction of a credit brought from the device's previous period
 * @param carryOut the fraction of a credit carried to the device's next period
 * @param bytesPerGb 10^9; 2^30 for periods credited before GB became decimal (docs/product/README.md#units)
 * @param transactionId the ledger EARN_CREDIT, or null when the period came to 0 whole credits
 */
public record DeviceEarning(long id, UUID deviceId, @Nullable String deviceName, Instant periodStart, Instant periodEnd,
        long bytes, String tier, BigDecimal ratePerGbUsd, BigDecimal baseCredits, BigDecimal deviceMultiplier,
        BigDecimal uptimeMultiplier, BigDecimal geoMultiplier, String geoTier, BigDecimal multiplier,
        long totalCredits, @Nullable UUID transactionId, long paidBytes, long trialBytes, long unpaidBytes,
        @Nullable Integer countedDevices, @Nullable String geoCountry, BigDecimal trialMultiplier, BigDecimal carryIn,
        BigDecimal carryOut, long bytesPerGb) {

    /** GB of {@link #bytesPerGb()} bytes, 6 decimals rounded down: for display only. */
    public BigDecimal gigabytes(long b) {
        return BigDecimal.valueOf(b).divide(BigDecimal.valueOf(bytesPerGb), 6, RoundingMode.DOWN).stripTrailingZeros();
    }

    /**
     * Each factor of the total in words, for the earnings page and CSV (docs/product/earn.md#credit-calculation), e.g.
     * {@code 0.052 GB paid × USD 0.10/GB (bronze) = 5.2 base credits; × 2 multi-device (3 devices
     * sharing) × 1 uptime × 1 location (unlisted) = 10.4; + 0.3 carried in = 10.7: 10 credits, 0.7
     * carried to the next period}.
     */
    public String explanation() {
        StringBuilder b = new StringBuilder();
        long earning = paidBytes + trialBytes;
        b.append(plain(gigabytes(earning))).append(" GB ");
        b.append(trialBytes == 0 ? "paid" : paidBytes == 0 ? "trial" : "paid and trial");
        b.append(" × USD ").append(money(ratePerGbUsd)).append("/GB (").append(tier).append(')');
        if (bytesPerGb != 1_000_000_000L) {
            b.append(" [GB of ").append(bytesPerGb).append(" bytes]");
        }
        b.append(" = ").append(plain(baseCredits.setScale(3, RoundingMode.DOWN))).append(" base credits; ");
        b.append("× ").append(plain(deviceMultiplier)).append(" multi-device");
        if (countedDevices != null) {
            b.append(" (").append(countedDevices).append(countedDevices == 1 ? " device" : " devices").append(" sharing)");
        }
        b.append(" × ").append(plain(uptimeMultiplier)).append(" uptime");
        b.append(" × ").append(plain(geoMultiplier)).append(" location (").append(geoTier)
                .append(geoCountry == null ? "" : ", " + geoCountry).append(')');
        if (trialBytes > 0 && paidBytes > 0 && trialMultiplier.compareTo(multiplier) != 0) {
            b.append(", trial bytes × ").append(plain(trialMultiplier));
        }
        BigDecimal exact = totalCredits == 0 && carryOut.signum() == 0 ? BigDecimal.ZERO
                : BigDecimal.valueOf(totalCredits).add(carryOut);
        BigDecimal multiplied = exact.subtract(carryIn);
        b.append(" = ").append(plain(multiplied.setScale(3, RoundingMode.DOWN)));
        if (carryIn.signum() > 0) {
            b.append("; + ").append(plain(carryIn.setScale(3, RoundingMode.DOWN))).append(" carried in = ")
                    .append(plain(exact.setScale(3, RoundingMode.DOWN)));
        }
        b.append(": ").append(totalCredits).append(totalCredits == 1 ? " credit" : " credits");
        if (carryOut.signum() > 0) {
            b.append(", ").append(plain(carryOut.setScale(3, RoundingMode.DOWN))).append(" carried to the next period");
        }
        if (unpaidBytes > 0) {
            b.append("; ").append(plain(gigabytes(unpaidBytes))).append(" GB nobody paid for earn nothing");
        }
        return b.toString();
    }

    /** At least two decimals: {@code 0.10}, {@code 0.125}. */
    private static String money(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return (s.scale() < 2 ? s.setScale(2) : s).toPlainString();
    }

    private static String plain(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return (s.scale() < 0 ? s.setScale(0) : s).toPlainString();
    }

    /** This period with the device's name as the nodes feature knows it now. */
    public DeviceEarning withDeviceName(@Nullable String name) {
        return new DeviceEarning(id, deviceId, name, periodStart, periodEnd, bytes, tier, ratePerGbUsd, baseCredits,
                deviceMultiplier, uptimeMultiplier, geoMultiplier, geoTier, multiplier, totalCredits, transactionId,
                paidBytes, trialBytes, unpaidBytes, countedDevices, geoCountry, trialMultiplier, carryIn, carryOut,
                bytesPerGb);
    }
}
