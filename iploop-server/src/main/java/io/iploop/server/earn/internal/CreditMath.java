package io.iploop.server.earn.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The arithmetic of earn credits (docs/product/earn.md#credit-calculation), exact: no floating point, no rounding until a
 * whole number of credits is paid, and the fraction left is carried to the next period. 1 GB is
 * 10^9 bytes, as customers are charged (docs/product/README.md#units); dividing by 10^9 always
 * terminates in decimal, so {@link BigDecimal#divide(BigDecimal)} is exact. Stateless.
 */
final class CreditMath {

    /** Bytes in one GB: 10^9, on the customer and the operator side alike (docs/product/README.md#units). */
    static final long GB = 1_000_000_000L;
    static final BigDecimal BYTES_PER_GB = BigDecimal.valueOf(GB);
    /** Credits per USD: 1 credit = USD 0.001 (docs/product/earn.md#credits). */
    static final BigDecimal CREDITS_PER_USD = BigDecimal.valueOf(1000);
    /** Sharing devices from which the multi-device bonus applies (docs/product/earn.md#multi-device-bonus). */
    static final int MULTI_DEVICE_MIN = 3;
    static final BigDecimal MULTI_DEVICE = new BigDecimal("2.0");
    /** Continuous uptime that earns the uptime bonus (docs/product/earn.md#uptime-bonus). */
    static final Duration UPTIME_REQUIRED = Duration.ofHours(24);
    /** A longer gap without the device online breaks continuous uptime (docs/product/earn.md#uptime-bonus). */
    static final Duration UPTIME_MAX_GAP = Duration.ofMinutes(10);
    static final BigDecimal UPTIME = new BigDecimal("1.5");
    /** Multiplier of a country with fewer sharing nodes than the threshold (docs/product/earn.md#rare-geography-bonus). */
    static final BigDecimal ULTRA_RARE = new BigDecimal("3.0");
    /** The referrer's share of a referee's credited earnings (docs/product/earn.md#referrals). */
    static final BigDecimal REFERRAL_SHARE = new BigDecimal("0.10");

    private CreditMath() {}

    /** {@code bytes / 10^9 * ratePerGbUsd * 1000}: credits before multipliers, exact. */
    static BigDecimal baseCredits(long bytes, BigDecimal ratePerGbUsd) {
        return plain(BigDecimal.valueOf(bytes).multiply(ratePerGbUsd).multiply(CREDITS_PER_USD).divide(BYTES_PER_GB));
    }

    /** Without trailing zeros but never in exponent form ({@code 5100}, not {@code 5.1E+3}). */
    static BigDecimal plain(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    /** GB (10^9 bytes) with 6 decimals, rounded down: for display only, never for money. */
    static BigDecimal gigabytes(long bytes) {
        return BigDecimal.valueOf(bytes).divide(BYTES_PER_GB, 6, RoundingMode.DOWN);
    }

    /**
     * The network a device counts as for the multi-device bonus (docs/earn-fraud.md): the /24 of an
     * IPv4 address, the /48 of an IPv6 one, so several agents behind one address or one small
     * network count once. An address that is not an IP literal is its own network.
     */
    static String network(String ip) {
        String a = ip.strip();
        if (a.startsWith("/")) {
            a = a.substring(1);
        }
        int scope = a.indexOf('%');
        if (scope >= 0) {
            a = a.substring(0, scope);
        }
        byte[] b;
        try {
            b = java.net.InetAddress.ofLiteral(a).getAddress();
        } catch (IllegalArgumentException e) {
            return a;
        }
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + ".0/24";
        }
        return String.format("%02x%02x:%02x%02x:%02x%02x::/48", b[0], b[1], b[2], b[3], b[4], b[5]);
    }

    /**
     * A device-period's credits from paid and trial bytes (docs/earn-fraud.md): paid bytes earn the
     * base rate × {@code multiplier}, trial bytes the base rate × {@code trialMultiplier}; bytes nobody
     * paid for are not passed in and earn nothing.
     *
     * @param carryIn the device's carried fraction, 0 to below 1
     */
    static Split credits(long paidBytes, long trialBytes, BigDecimal ratePerGbUsd, BigDecimal multiplier,
            BigDecimal trialMultiplier, BigDecimal carryIn) {
        return split(baseCredits(paidBytes, ratePerGbUsd).multiply(multiplier)
                .add(baseCredits(trialBytes, ratePerGbUsd).multiply(trialMultiplier)).add(carryIn));
    }

    /** 2.0 with {@value #MULTI_DEVICE_MIN} or more sharing devices, else 1.0 (docs/product/earn.md#multi-device-bonus). */
    static BigDecimal deviceMultiplier(int sharingDevices) {
        return sharingDevices >= MULTI_DEVICE_MIN ? MULTI_DEVICE : BigDecimal.ONE;
    }

    /** 1.5 when some device of the operator has been up continuously for 24 h, else 1.0. */
    static BigDecimal uptimeMultiplier(@Nullable Instant longestUptimeSince, Instant now) {
        return longestUptimeSince != null && !longestUptimeSince.plus(UPTIME_REQUIRED).isAfter(now)
                ? UPTIME : BigDecimal.ONE;
    }

    /**
     * Where a device's continuous uptime starts, seen online now on a connection that started at
     * {@code connectedSince}: it continues when the device was last seen online no more than 10
     * minutes before this connection began, else it starts over with this connection.
     *
     * @param uptimeSince the start recorded before, or null
     * @param lastSeenAt when the device was last seen online before, or null
     */
    static Instant uptimeSince(@Nullable Instant uptimeSince, @Nullable Instant lastSeenAt, Instant connectedSince) {
        if (uptimeSince == null || lastSeenAt == null || connectedSince.isAfter(lastSeenAt.plus(UPTIME_MAX_GAP))) {
            return connectedSince;
        }
        return uptimeSince.isBefore(connectedSince) ? uptimeSince : connectedSince;
    }

    /**
     * The geography multiplier: 3.0 (ultra-rare) when the country has fewer sharing nodes than
     * {@code ultraRareBelow}, else the country's table value (1.0 when not listed or unknown).
     */
    static BigDecimal geoMultiplier(@Nullable String country, @Nullable BigDecimal tableValue, long sharingNodesInCountry,
            int ultraRareBelow) {
        if (country == null) {
            return BigDecimal.ONE;
        }
        if (sharingNodesInCountry < ultraRareBelow) {
            return ULTRA_RARE;
        }
        return tableValue != null ? tableValue : BigDecimal.ONE;
    }

    /** Splits an exact amount into whole credits (rounded down) and the carried fraction. */
    static Split split(BigDecimal exact) {
        BigDecimal whole = exact.setScale(0, RoundingMode.DOWN);
        return new Split(whole.longValueExact(), plain(exact.subtract(whole)));
    }

    /**
     * A device-period's credits.
     *
     * @param carryIn the device's carried fraction, 0 to below 1
     */
    static Split credits(long bytes, BigDecimal ratePerGbUsd, BigDecimal multiplier, BigDecimal carryIn) {
        return split(baseCredits(bytes, ratePerGbUsd).multiply(multiplier).add(carryIn));
    }

    /** The referrer's commission on {@code refereeCredits}, with the referral's carried fraction. */
    static Split commission(long refereeCredits, BigDecimal carryIn) {
        return split(BigDecimal.valueOf(refereeCredits).multiply(REFERRAL_SHARE).add(carryIn));
    }

    /** Whole credits paid now and the fraction (0 to below 1) owed to the next period. */
    record Split(long credits, BigDecimal carry) {}
}
