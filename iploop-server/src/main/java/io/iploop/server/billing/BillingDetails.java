package io.iploop.server.billing;

import org.jspecify.annotations.Nullable;

/**
 * A customer's billing details (docs/billing.md#vat), copied onto each invoice when it is created,
 * so later edits never change an issued invoice. Immutable.
 *
 * @param country ISO 3166-1 alpha-2 code in upper case, e.g. {@code DE}
 * @param vatId the buyer's VAT id, normalised (upper case, no spaces), syntactically valid for
 *     {@code country}; null for a consumer
 * @param company company name printed on invoices instead of the account's, or null
 * @param address postal address printed on invoices, or null
 */
public record BillingDetails(String country, @Nullable String vatId, @Nullable String company,
        @Nullable String address) {}
