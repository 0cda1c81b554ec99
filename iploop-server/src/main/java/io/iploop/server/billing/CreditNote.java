package io.iploop.server.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A credit note: money returned against a paid invoice by a refund or chargeback
 * (docs/billing.md#refunds). Immutable once issued, like its PDF.
 *
 * @param number {@code CN-<year>-<6 digits>}, gap-free per calendar year (UTC)
 * @param amountCents returned to the customer in the invoice currency's cents, tax included
 * @param netCents the part of {@code amountCents} without tax
 * @param taxCents the part of {@code amountCents} that was VAT
 * @param credits prepaid credits (USD) taken back from the customer, null for a GB package
 * @param gb GB taken back from the plan balance, null for a credit package
 * @param idempotencyKey the key that makes a retried refund or a replayed chargeback event a no-op
 * @param ledgerTransactionId the ledger transaction that reversed the payment
 * @param createdBy the admin who refunded, or null for a chargeback recorded by the system
 */
public record CreditNote(UUID id, String number, UUID invoiceId, String invoiceNumber, UUID userId,
        CreditNoteKind kind, String currency, long amountCents, long netCents, long taxCents,
        @Nullable BigDecimal credits, @Nullable BigDecimal gb, String reason, String idempotencyKey,
        UUID ledgerTransactionId, @Nullable UUID createdBy, Instant createdAt) {}
