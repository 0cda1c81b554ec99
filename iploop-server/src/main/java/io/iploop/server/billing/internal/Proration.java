package io.iploop.server.billing.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;

/**
 * The proration of a plan upgrade within a period (docs/billing.md#plan-changes). Pure arithmetic,
 * immutable, thread-safe.
 *
 * <p>With the period {@code [start, end)} and the change at {@code at}, the unused share is
 * {@code f = (end − at) / (end − start)} in seconds. The credit for the old plan is
 * {@code round(oldPrice × f)}, the charge for the new plan {@code round(newPrice × f)}, both in
 * whole USD cents rounded half up, and the amount billed is {@code charge − credit}. The GB added to
 * the balance are {@code (newIncluded − oldIncluded) × f}, rounded down to 9 decimals (whole bytes).
 *
 * @param unusedShare {@code f}, between 0 and 1, 12 significant digits
 * @param creditCents the unused share of the old plan's price, in cents
 * @param chargeCents the new plan's price for the rest of the period, in cents
 * @param gbDelta GB (10^9 bytes) added to the balance
 */
record Proration(BigDecimal unusedShare, long creditCents, long chargeCents, BigDecimal gbDelta) {

    /** {@code chargeCents − creditCents}: what the customer is billed for the upgrade. */
    long amountCents() {
        return chargeCents - creditCents;
    }

    /**
     * The proration of moving from a plan priced {@code oldPriceCents} with {@code oldIncludedGb} to one
     * priced {@code newPriceCents} with {@code newIncludedGb} at {@code at}, within {@code [start, end)}.
     * An {@code at} outside the period is clamped to it.
     */
    static Proration of(Instant start, Instant end, Instant at, long oldPriceCents, long newPriceCents,
            BigDecimal oldIncludedGb, BigDecimal newIncludedGb) {
        long total = Duration.between(start, end).toSeconds();
        long left = Math.max(0, Math.min(total, Duration.between(at, end).toSeconds()));
        BigDecimal f = total <= 0 ? BigDecimal.ZERO
                : BigDecimal.valueOf(left).divide(BigDecimal.valueOf(total), new MathContext(12, RoundingMode.HALF_UP));
        long credit = BigDecimal.valueOf(oldPriceCents).multiply(f).setScale(0, RoundingMode.HALF_UP).longValueExact();
        long charge = BigDecimal.valueOf(newPriceCents).multiply(f).setScale(0, RoundingMode.HALF_UP).longValueExact();
        BigDecimal gb = newIncludedGb.subtract(oldIncludedGb).multiply(f).setScale(9, RoundingMode.DOWN);
        return new Proration(f, credit, charge, gb);
    }
}
