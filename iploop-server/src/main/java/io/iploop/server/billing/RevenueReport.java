package io.iploop.server.billing;

import java.time.Instant;
import java.util.List;

/**
 * Revenue of a period (docs/billing.md#admin-finance). Immutable.
 *
 * @param from start, inclusive
 * @param to end, exclusive
 * @param currency of every amount ({@code USD})
 * @param rows by day (ISO date) or plan id, in key order; days or plans without money are left out
 * @param total the sum of the rows, key {@code total}
 */
public record RevenueReport(Instant from, Instant to, RevenueGrouping groupBy, String currency, List<Row> rows,
        Row total) {

    public RevenueReport {
        rows = List.copyOf(rows);
    }

    /**
     * One day or plan, in cents.
     *
     * @param paidCents paid by customers, VAT included
     * @param refundedCents returned by refunds and chargebacks, VAT included
     * @param taxCents VAT collected minus VAT refunded (owed to the tax authority)
     * @param netRevenueCents {@code paidCents - refundedCents - taxCents}: what the platform keeps
     */
    public record Row(String key, long paidCents, long refundedCents, long taxCents, long netRevenueCents) {}
}
