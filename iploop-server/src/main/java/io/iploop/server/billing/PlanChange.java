package io.iploop.server.billing;

import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What a customer's plan change did (docs/billing.md#plan-changes). Immutable. Money in USD cents.
 *
 * @param kind {@code upgrade} (effective now) or {@code downgrade} (effective at the period end)
 * @param provider {@code manual} or {@code stripe} (Stripe computes its own proration: the money fields are null)
 * @param effectiveAt now for an upgrade, the period end for a downgrade
 * @param unusedShare the unused share {@code f} of the period (manual upgrades), else null
 * @param creditCents round(old monthly price × f), else null
 * @param chargeCents round(new monthly price × f), else null
 * @param gbAdded GB (10^9 bytes) added to the balance now (manual upgrades), else null
 * @param invoice the invoice of the prorated difference, or null when nothing was billed by us
 */
public record PlanChange(String kind, String fromPlan, String toPlan, Instant effectiveAt, String provider,
        @Nullable BigDecimal unusedShare, @Nullable Long creditCents, @Nullable Long chargeCents,
        @Nullable BigDecimal gbAdded, @Nullable Invoice invoice) {

    /** {@code chargeCents − creditCents}, what was billed before VAT, or null. */
    public @Nullable Long amountCents() {
        return creditCents == null || chargeCents == null ? null : chargeCents - creditCents;
    }
}
