package io.iploop.server.billing;

import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;

/**
 * One package a customer can buy (docs/billing.md#packages). Immutable.
 *
 * @param id stable id used in requests, e.g. {@code credits-25} or {@code gb-5}
 * @param kind what it buys
 * @param name shown on the page and the invoice line
 * @param priceCents price in US cents, &gt; 0
 * @param credits credits (1 credit = USD 1) bought, without bonus; null for a GB or pool package
 * @param bonusCredits credits given on top, ≥ 0; null for a GB or pool package
 * @param gb GB (10^9 bytes) added to the plan balance; null for a credit or pool package
 */
public record BillingPackage(String id, PackageKind kind, String name, long priceCents, @Nullable BigDecimal credits,
        @Nullable BigDecimal bonusCredits, @Nullable BigDecimal gb) {

    /** {@link #priceCents()} in USD (2 places). */
    public BigDecimal priceUsd() {
        return BigDecimal.valueOf(priceCents, 2);
    }

    /** Credits granted when paid, bonus included; null for a GB or pool package. */
    public @Nullable BigDecimal totalCredits() {
        return credits == null ? null : credits.add(bonusCredits == null ? BigDecimal.ZERO : bonusCredits);
    }
}
