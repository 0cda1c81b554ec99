package io.iploop.server.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An invoice (docs/billing.md#invoices). Immutable. Amounts are integer cents of {@code currency}
 * (always {@code USD} for now); {@code totalCents = subtotalCents + taxCents}. Everything but the
 * status, payment facts and {@code refundedCents} is frozen when the invoice is issued.
 *
 * @param number {@code INV-<year>-<6 digits>}, gap-free per calendar year (UTC)
 * @param provider the payment provider that collects it, e.g. {@code manual}
 * @param credits credits granted when paid (1 credit = USD 1, bonus included), null for a GB package
 * @param gb GB (10^9 bytes) added to the plan balance when paid, null for a credit package
 * @param paymentReference the bank transfer's reference an admin entered, null until paid
 * @param ledgerTransactionId the ledger transaction of the payment, null until paid
 * @param buyerCountry the buyer's country (ISO code) from their billing details, null when none were set
 * @param buyerVatId the buyer's VAT id from their billing details, null for a consumer
 * @param buyerAddress the buyer's postal address, or null
 * @param taxRatePercent the VAT rate applied, in percent (0 when none was charged)
 * @param taxNote why no or which VAT was charged, e.g. the reverse-charge note (docs/billing.md#vat); or null
 * @param refundedCents sum of the refunds and chargebacks against this invoice, tax included
 */
public record Invoice(UUID id, String number, UUID userId, InvoiceStatus status, String provider,
        PackageKind packageKind, String packageId, @Nullable BigDecimal credits, @Nullable BigDecimal gb,
        String currency, long subtotalCents, long taxCents, long totalCents, List<InvoiceLine> lines,
        String buyerName, String buyerEmail, @Nullable String paymentReference, @Nullable UUID ledgerTransactionId,
        Instant createdAt, @Nullable Instant paidAt, @Nullable Instant voidedAt, @Nullable String voidReason,
        @Nullable String buyerCountry, @Nullable String buyerVatId, @Nullable String buyerAddress,
        BigDecimal taxRatePercent, @Nullable String taxNote, long refundedCents) {

    public Invoice {
        lines = List.copyOf(lines);
    }

    /** An invoice without tax details or refunds (the fields before VAT existed). */
    public Invoice(UUID id, String number, UUID userId, InvoiceStatus status, String provider,
            PackageKind packageKind, String packageId, @Nullable BigDecimal credits, @Nullable BigDecimal gb,
            String currency, long subtotalCents, long taxCents, long totalCents, List<InvoiceLine> lines,
            String buyerName, String buyerEmail, @Nullable String paymentReference, @Nullable UUID ledgerTransactionId,
            Instant createdAt, @Nullable Instant paidAt, @Nullable Instant voidedAt, @Nullable String voidReason) {
        this(id, number, userId, status, provider, packageKind, packageId, credits, gb, currency, subtotalCents,
                taxCents, totalCents, lines, buyerName, buyerEmail, paymentReference, ledgerTransactionId, createdAt,
                paidAt, voidedAt, voidReason, null, null, null, BigDecimal.ZERO, null, 0);
    }

    /** What can still be refunded, in cents: {@code totalCents - refundedCents} for a paid invoice, else 0. */
    public long refundableCents() {
        return status == InvoiceStatus.PAID ? totalCents - refundedCents : 0;
    }

    /** {@link #totalCents()} as a decimal amount of {@code currency} (2 places). */
    public BigDecimal totalAmount() {
        return BigDecimal.valueOf(totalCents, 2);
    }
}
