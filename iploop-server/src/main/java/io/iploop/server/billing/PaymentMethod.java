package io.iploop.server.billing;

import org.jspecify.annotations.Nullable;

/**
 * A payment method saved on the customer's Stripe customer (docs/billing.md#payment-methods), as the
 * billing page and {@code GET /api/billing/payment-methods} show it: never the full card number, only
 * what Stripe itself returns (brand, last four digits, expiry). Immutable.
 *
 * @param id Stripe's id ({@code pm_…})
 * @param type Stripe's payment method type, e.g. {@code card} or {@code sepa_debit}
 * @param brand the card brand ({@code visa}, {@code mastercard}, …); null for other types
 * @param last4 the last four digits of the card number (or account), null when Stripe gives none
 * @param expMonth 1-12, null for other types than cards
 * @param expYear four digits, null for other types than cards
 * @param isDefault whether it is the customer's {@code invoice_settings.default_payment_method}, the
 *     one auto top-ups and invoices are charged to
 */
public record PaymentMethod(String id, String type, @Nullable String brand, @Nullable String last4,
        @Nullable Integer expMonth, @Nullable Integer expYear, boolean isDefault) {}
