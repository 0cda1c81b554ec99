package io.iploop.server.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An invoice (docs/billing.md#invoices). Immutable. Amounts are integer cents of {@code currency}
 * (always {@code USD} for now); tax is zero until tax handling is built.
 *
 * @param number {@code INV-<year>-<6 digits>}, gap-free per calendar year (UTC)
 * @param provider the payment provider that collects it, e.g. {@code manual}
 * @param credits credits granted when paid (1 credit = USD 1, bonus included), null for a GB package
 * @param gb GB (10^9 bytes) added to the plan balance when paid, null for a credit package
 * @param paymentReference the bank transfer's reference an admin entered, null until paid
 * @param ledgerTransactionId the ledger transaction of the payment, null until paid
 */
public record Invoice(UUID id, String number, UUID userId, InvoiceStatus status, String provider,
        PackageKind packageKind, String packageId, @Nullable BigDecimal credits, @Nullable BigDecimal gb,
        String currency, long subtotalCents, long taxCents, long totalCents, List<InvoiceLine> lines,
        String buyerName, String buyerEmail, @Nullable String paymentReference, @Nullable UUID ledgerTransactionId,
        Instant createdAt, @Nullable Instant paidAt, @Nullable Instant voidedAt, @Nullable String voidReason) {

    public Invoice {
        lines = List.copyOf(lines);
    }

    /** {@link #totalCents()} as a decimal amount of {@code currency} (2 places). */
    public BigDecimal totalAmount() {
        return BigDecimal.valueOf(totalCents, 2);
    }
}
