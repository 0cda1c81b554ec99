package io.iploop.server.billing;

import java.time.Instant;

/**
 * Admin finance reports (docs/billing.md#admin-finance): revenue from paid invoices net of credit
 * notes, MRR and churn from plan subscriptions, and margin against operator earnings from the
 * ledger. Read-only; thread-safe. Amounts are US cents unless named otherwise.
 */
public interface FinanceService {

    /**
     * Revenue in {@code [from, to)} by UTC day or by the plan the buyer was on when the invoice was
     * created: payments by their paid time, refunds and chargebacks by their credit note's time.
     *
     * @throws BillingException {@code VALIDATION} (field {@code to}) unless {@code to} is after {@code from}
     */
    RevenueReport revenue(Instant from, Instant to, RevenueGrouping groupBy);

    /**
     * MRR and churn for each of the last {@code months} calendar months (UTC), oldest first, the
     * current month as of now (docs/billing.md#mrr).
     *
     * @param months 1-24
     * @throws BillingException {@code VALIDATION} (field {@code months})
     */
    MrrReport mrr(int months);

    /**
     * Customer revenue (net of refunds and VAT) against the operator earnings credited in the same
     * period, in USD.
     *
     * @throws BillingException {@code VALIDATION} (field {@code to}) unless {@code to} is after {@code from}
     */
    MarginReport margin(Instant from, Instant to);
}
