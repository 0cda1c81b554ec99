package io.iploop.server.billing.internal;

import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.InvoiceLine;
import io.iploop.server.billing.InvoiceStatus;
import io.iploop.server.billing.PackageKind;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code billing_invoices}, {@code billing_invoice_lines} and
 * {@code billing_invoice_counters}. Every method joins the caller's transaction. Thread-safe.
 */
@Repository
class InvoiceRepository {

    private final JdbcClient jdbc;

    InvoiceRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The next number of {@code year}: the counter row is created or incremented under its row
     * lock, held until the caller's transaction ends, so concurrent invoices queue for it and a
     * rolled-back one gives its number back (docs/billing.md#invoice-numbers).
     */
    long nextNumber(int year) {
        return jdbc.sql("""
                INSERT INTO billing_invoice_counters (year, last_number) VALUES (:year, 1)
                ON CONFLICT (year) DO UPDATE SET last_number = billing_invoice_counters.last_number + 1
                RETURNING last_number""").param("year", year).query(Long.class).single();
    }

    /** Inserts an issued invoice; {@code planId} is the buyer's active plan (revenue by plan), or null. */
    void insert(Invoice invoice, @Nullable String planId, byte[] pdf) {
        jdbc.sql("""
                INSERT INTO billing_invoices (id, number, user_id, status, provider, package_kind, package_id,
                    credits_usd, gb, currency, subtotal_cents, tax_cents, total_cents, buyer_name, buyer_email,
                    created_at, pdf, buyer_country, buyer_vat_id, buyer_address, tax_rate, tax_note, buyer_plan_id)
                VALUES (:id, :number, :user, :status, :provider, :kind, :package, :credits, :gb, :currency,
                    :subtotal, :tax, :total, :buyerName, :buyerEmail, :createdAt, :pdf, :country, :vatId, :address,
                    :rate, :note, :plan)""")
                .param("country", invoice.buyerCountry()).param("vatId", invoice.buyerVatId())
                .param("address", invoice.buyerAddress()).param("rate", invoice.taxRatePercent())
                .param("note", invoice.taxNote()).param("plan", planId)
                .param("id", invoice.id()).param("number", invoice.number()).param("user", invoice.userId())
                .param("status", invoice.status().value()).param("provider", invoice.provider())
                .param("kind", invoice.packageKind().value()).param("package", invoice.packageId())
                .param("credits", invoice.credits()).param("gb", invoice.gb()).param("currency", invoice.currency())
                .param("subtotal", invoice.subtotalCents()).param("tax", invoice.taxCents())
                .param("total", invoice.totalCents()).param("buyerName", invoice.buyerName())
                .param("buyerEmail", invoice.buyerEmail()).param("createdAt", Timestamp.from(invoice.createdAt()))
                .param("pdf", pdf).update();
        int position = 1;
        for (InvoiceLine line : invoice.lines()) {
            jdbc.sql("""
                    INSERT INTO billing_invoice_lines (invoice_id, position, description, quantity, unit_cents, amount_cents)
                    VALUES (:id, :position, :description, :quantity, :unit, :amount)""")
                    .param("id", invoice.id()).param("position", position++).param("description", line.description())
                    .param("quantity", line.quantity()).param("unit", line.unitCents())
                    .param("amount", line.amountCents()).update();
        }
    }

    /** The invoice, its row locked until the caller's transaction ends. */
    Optional<Invoice> lock(UUID id) {
        return jdbc.sql("SELECT * FROM billing_invoices WHERE id = :id FOR UPDATE").param("id", id)
                .query(InvoiceRepository::map).optional().map(this::withLines);
    }

    Optional<Invoice> find(UUID id) {
        return jdbc.sql("SELECT * FROM billing_invoices WHERE id = :id").param("id", id)
                .query(InvoiceRepository::map).optional().map(this::withLines);
    }

    /**
     * The invoice a provider's payment paid, by the reference {@code settle} stored (e.g.
     * {@code stripe pi_…}); the newest when several carry it.
     */
    Optional<Invoice> findByPaymentReference(String reference) {
        return jdbc.sql("SELECT * FROM billing_invoices WHERE payment_reference = :ref ORDER BY created_at DESC LIMIT 1")
                .param("ref", reference).query(InvoiceRepository::map).optional().map(this::withLines);
    }

    Optional<byte[]> pdf(UUID userId, UUID id) {
        return jdbc.sql("SELECT pdf FROM billing_invoices WHERE id = :id AND user_id = :user")
                .param("id", id).param("user", userId).query((rs, n) -> rs.getBytes(1)).optional();
    }

    List<Invoice> byUser(UUID userId, int limit) {
        return withLines(jdbc.sql("SELECT * FROM billing_invoices WHERE user_id = :user "
                + "ORDER BY created_at DESC, number DESC LIMIT :limit")
                .param("user", userId).param("limit", limit).query(InvoiceRepository::map).list());
    }

    List<Invoice> all(@Nullable InvoiceStatus status, int limit) {
        return withLines(jdbc.sql("SELECT * FROM billing_invoices WHERE (CAST(:status AS varchar) IS NULL "
                + "OR status = :status) ORDER BY created_at, number LIMIT :limit")
                .param("status", status == null ? null : status.value()).param("limit", limit)
                .query(InvoiceRepository::map).list());
    }

    void markPaid(UUID id, String reference, UUID transactionId, UUID adminId, Instant at, byte[] pdf) {
        jdbc.sql("""
                UPDATE billing_invoices SET status = 'paid', payment_reference = :ref, ledger_transaction_id = :tx,
                    paid_by = :admin, paid_at = :at, pdf = :pdf WHERE id = :id AND status = 'open'""")
                .param("id", id).param("ref", reference).param("tx", transactionId).param("admin", adminId)
                .param("at", Timestamp.from(at)).param("pdf", pdf).update();
    }

    /** A paid invoice whose payment failed (docs/billing.md#failed-payments); the row is locked by the caller. */
    void markFailed(UUID id, byte[] pdf) {
        jdbc.sql("UPDATE billing_invoices SET status = 'failed', pdf = :pdf WHERE id = :id AND status = 'paid'")
                .param("id", id).param("pdf", pdf).update();
    }

    /** Adds a credit note's amount to the invoice's refunded total (the row is locked by the caller). */
    void addRefunded(UUID id, long cents) {
        jdbc.sql("UPDATE billing_invoices SET refunded_cents = refunded_cents + :cents WHERE id = :id")
                .param("id", id).param("cents", cents).update();
    }

    void markVoid(UUID id, String reason, UUID adminId, Instant at, byte[] pdf) {
        jdbc.sql("""
                UPDATE billing_invoices SET status = 'void', void_reason = :reason, voided_by = :admin,
                    voided_at = :at, pdf = :pdf WHERE id = :id AND status = 'open'""")
                .param("id", id).param("reason", reason).param("admin", adminId).param("at", Timestamp.from(at))
                .param("pdf", pdf).update();
    }

    private Invoice withLines(Invoice invoice) {
        return withLines(List.of(invoice)).getFirst();
    }

    private List<Invoice> withLines(List<Invoice> invoices) {
        if (invoices.isEmpty()) {
            return invoices;
        }
        Map<UUID, List<InvoiceLine>> lines = new LinkedHashMap<>();
        jdbc.sql("SELECT * FROM billing_invoice_lines WHERE invoice_id = ANY(:ids) ORDER BY invoice_id, position")
                .param("ids", invoices.stream().map(Invoice::id).toArray(UUID[]::new))
                .query((RowCallbackHandler) rs -> lines.computeIfAbsent(rs.getObject("invoice_id", UUID.class),
                        k -> new ArrayList<>()).add(new InvoiceLine(rs.getString("description"), rs.getInt("quantity"),
                                rs.getLong("unit_cents"), rs.getLong("amount_cents"))));
        return invoices.stream().map(i -> new Invoice(i.id(), i.number(), i.userId(), i.status(), i.provider(),
                i.packageKind(), i.packageId(), i.credits(), i.gb(), i.currency(), i.subtotalCents(), i.taxCents(),
                i.totalCents(), lines.getOrDefault(i.id(), List.of()), i.buyerName(), i.buyerEmail(),
                i.paymentReference(), i.ledgerTransactionId(), i.createdAt(), i.paidAt(), i.voidedAt(),
                i.voidReason(), i.buyerCountry(), i.buyerVatId(), i.buyerAddress(), i.taxRatePercent(), i.taxNote(),
                i.refundedCents())).toList();
    }

    private static Invoice map(ResultSet rs, int row) throws SQLException {
        return new Invoice(rs.getObject("id", UUID.class), rs.getString("number"), rs.getObject("user_id", UUID.class),
                InvoiceStatus.of(rs.getString("status")), rs.getString("provider"),
                PackageKind.valueOf(rs.getString("package_kind").toUpperCase(Locale.ROOT)), rs.getString("package_id"),
                decimal(rs, "credits_usd"), decimal(rs, "gb"), rs.getString("currency").strip(),
                rs.getLong("subtotal_cents"), rs.getLong("tax_cents"), rs.getLong("total_cents"), List.of(),
                rs.getString("buyer_name"), rs.getString("buyer_email"), rs.getString("payment_reference"),
                rs.getObject("ledger_transaction_id", UUID.class), rs.getTimestamp("created_at").toInstant(), instant(rs, "paid_at"),
                instant(rs, "voided_at"), rs.getString("void_reason"), trimmed(rs.getString("buyer_country")),
                rs.getString("buyer_vat_id"), rs.getString("buyer_address"),
                java.util.Objects.requireNonNull(decimal(rs, "tax_rate")),
                rs.getString("tax_note"), rs.getLong("refunded_cents"));
    }

    private static @Nullable String trimmed(@Nullable String s) {
        return s == null ? null : s.strip();
    }

    private static @Nullable BigDecimal decimal(ResultSet rs, String column) throws SQLException {
        BigDecimal v = rs.getBigDecimal(column);
        if (v == null) {
            return null;
        }
        BigDecimal stripped = v.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
