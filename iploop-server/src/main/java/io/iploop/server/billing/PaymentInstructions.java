package io.iploop.server.billing;

/**
 * How to pay an invoice of the manual provider (docs/billing.md#payment): the configured bank
 * details; the transfer's reference is the invoice number. Immutable.
 *
 * @param provider {@code manual}
 * @param providerLabel shown to customers, e.g. "Bank transfer (manual)"
 * @param note free text, e.g. that an admin credits the payment by hand within business days
 */
public record PaymentInstructions(String provider, String providerLabel, String accountHolder, String bankName,
        String iban, String bic, String note) {}
