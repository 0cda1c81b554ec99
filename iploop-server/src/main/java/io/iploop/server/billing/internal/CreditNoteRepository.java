package io.iploop.server.billing.internal;

import io.iploop.server.billing.CreditNote;
import io.iploop.server.billing.CreditNoteKind;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code billing_credit_notes} and {@code billing_credit_note_counters}, and the revenue
 * figures read from invoices and credit notes. Joins the caller's transaction. Thread-safe.
 */
@Repository
class CreditNoteRepository {

    private static final String SELECT = """
            SELECT c.*, i.number AS invoice_number FROM billing_credit_notes c
            JOIN billing_invoices i ON i.id = c.invoice_id""";

    private final JdbcClient jdbc;

    CreditNoteRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The next credit note number of {@code year}, numbered like invoices (docs/billing.md#invoice-numbers). */
    long nextNumber(int year) {
        return jdbc.sql("""
                INSERT INTO billing_credit_note_counters (year, last_number) VALUES (:year, 1)
                ON CONFLICT (year) DO UPDATE SET last_number = billing_credit_note_counters.last_number + 1
                RETURNING last_number""").param("year", year).query(Long.class).single();
    }

    void insert(CreditNote note, byte[] pdf) {
        jdbc.sql("""
                INSERT INTO billing_credit_notes (id, number, invoice_id, user_id, kind, currency, amount_cents,
                    net_cents, tax_cents, credits_usd, gb, reason, idempotency_key, ledger_transaction_id,
                    created_by, created_at, pdf)
                VALUES (:id, :number, :invoice, :user, :kind, :currency, :amount, :net, :tax, :credits, :gb,
                    :reason, :key, :tx, :by, :at, :pdf)""")
                .param("id", note.id()).param("number", note.number()).param("invoice", note.invoiceId())
                .param("user", note.userId()).param("kind", note.kind().value()).param("currency", note.currency())
                .param("amount", note.amountCents()).param("net", note.netCents()).param("tax", note.taxCents())
                .param("credits", note.credits()).param("gb", note.gb()).param("reason", note.reason())
                .param("key", note.idempotencyKey()).param("tx", note.ledgerTransactionId())
                .param("by", note.createdBy()).param("at", Timestamp.from(note.createdAt())).param("pdf", pdf)
                .update();
    }

    /** The GB a credit note actually took off the plan balance (a chargeback takes at most the balance). */
    void setGbTaken(UUID id, BigDecimal gb) {
        jdbc.sql("UPDATE billing_credit_notes SET gb_taken = :gb WHERE id = :id").param("id", id).param("gb", gb).update();
    }

    /** What {@link #setGbTaken} stored, if anything. */
    Optional<BigDecimal> gbTaken(UUID id) {
        return jdbc.sql("SELECT gb_taken FROM billing_credit_notes WHERE id = :id AND gb_taken IS NOT NULL")
                .param("id", id).query(BigDecimal.class).optional();
    }

    Optional<CreditNote> byKey(String idempotencyKey) {
        return jdbc.sql(SELECT + " WHERE c.idempotency_key = :key").param("key", idempotencyKey)
                .query(CreditNoteRepository::map).optional();
    }

    Optional<CreditNote> find(UUID id) {
        return jdbc.sql(SELECT + " WHERE c.id = :id").param("id", id).query(CreditNoteRepository::map).optional();
    }

    /** Credit notes of one invoice, oldest first. */
    List<CreditNote> byInvoice(UUID invoiceId) {
        return jdbc.sql(SELECT + " WHERE c.invoice_id = :invoice ORDER BY c.created_at, c.number")
                .param("invoice", invoiceId).query(CreditNoteRepository::map).list();
    }

    /**
     * Credit notes of one invoice still in force, oldest first: without the chargebacks given back by a
     * won dispute (docs/billing.md#disputes).
     */
    List<CreditNote> inForce(UUID invoiceId) {
        return jdbc.sql(SELECT + """
                 WHERE c.invoice_id = :invoice AND NOT EXISTS (SELECT 1 FROM billing_dispute_outcomes o
                    WHERE o.credit_note_id = c.id AND o.ledger_transaction_id IS NOT NULL)
                ORDER BY c.created_at, c.number""")
                .param("invoice", invoiceId).query(CreditNoteRepository::map).list();
    }

    /** Ids of the credit notes of these invoices given back by a won dispute. */
    java.util.Set<UUID> givenBack(java.util.Collection<UUID> invoiceIds) {
        if (invoiceIds.isEmpty()) {
            return java.util.Set.of();
        }
        return new java.util.HashSet<>(jdbc.sql("""
                SELECT credit_note_id FROM billing_dispute_outcomes
                WHERE invoice_id IN (:invoices) AND credit_note_id IS NOT NULL AND ledger_transaction_id IS NOT NULL""")
                .param("invoices", invoiceIds).query(UUID.class).list());
    }

    /** The user's credit notes, newest first. */
    List<CreditNote> byUser(UUID userId, int limit) {
        return jdbc.sql(SELECT + " WHERE c.user_id = :user ORDER BY c.created_at DESC, c.number DESC LIMIT :limit")
                .param("user", userId).param("limit", limit).query(CreditNoteRepository::map).list();
    }

    Optional<byte[]> pdf(UUID userId, UUID id) {
        return jdbc.sql("SELECT pdf FROM billing_credit_notes WHERE id = :id AND user_id = :user")
                .param("id", id).param("user", userId).query((rs, n) -> rs.getBytes(1)).optional();
    }

    /**
     * Money in and out per UTC day and buyer plan in {@code [from, to)}: payments by the invoice's
     * paid time, credit notes by their creation time, each under the plan the invoice was bought on
     * ({@code none} without one); a chargeback given back by a won dispute counts negative when closed.
     */
    List<RevenueCell> revenue(Instant from, Instant to) {
        return jdbc.sql("""
                SELECT day, plan, sum(paid) AS paid, sum(paid_tax) AS paid_tax, sum(refunded) AS refunded,
                       sum(refunded_tax) AS refunded_tax FROM (
                    SELECT (paid_at AT TIME ZONE 'UTC')::date AS day, coalesce(buyer_plan_id, 'none') AS plan,
                           total_cents AS paid, tax_cents AS paid_tax, 0 AS refunded, 0 AS refunded_tax
                    FROM billing_invoices WHERE status = 'paid' AND paid_at >= :from AND paid_at < :to
                    UNION ALL
                    SELECT (c.created_at AT TIME ZONE 'UTC')::date, coalesce(i.buyer_plan_id, 'none'),
                           0, 0, c.amount_cents, c.tax_cents
                    FROM billing_credit_notes c JOIN billing_invoices i ON i.id = c.invoice_id
                    WHERE c.created_at >= :from AND c.created_at < :to
                    UNION ALL
                    SELECT (o.closed_at AT TIME ZONE 'UTC')::date, coalesce(i.buyer_plan_id, 'none'),
                           0, 0, -o.amount_cents, -o.tax_cents
                    FROM billing_dispute_outcomes o JOIN billing_invoices i ON i.id = o.invoice_id
                    WHERE o.ledger_transaction_id IS NOT NULL AND o.closed_at >= :from AND o.closed_at < :to) m
                GROUP BY day, plan ORDER BY day, plan""")
                .param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
                .query((rs, n) -> new RevenueCell(rs.getObject("day", LocalDate.class), rs.getString("plan"),
                        rs.getLong("paid"), rs.getLong("paid_tax"), rs.getLong("refunded"), rs.getLong("refunded_tax")))
                .list();
    }

    /** One day and plan of {@link #revenue}; cents, tax included in {@code paid} and {@code refunded}. */
    record RevenueCell(LocalDate day, String plan, long paid, long paidTax, long refunded, long refundedTax) {}

    private static CreditNote map(ResultSet rs, int row) throws SQLException {
        return new CreditNote(rs.getObject("id", UUID.class), rs.getString("number"),
                rs.getObject("invoice_id", UUID.class), rs.getString("invoice_number"),
                rs.getObject("user_id", UUID.class),
                CreditNoteKind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)), rs.getString("currency").strip(),
                rs.getLong("amount_cents"), rs.getLong("net_cents"), rs.getLong("tax_cents"),
                decimal(rs, "credits_usd"), decimal(rs, "gb"), rs.getString("reason"),
                rs.getString("idempotency_key"), rs.getObject("ledger_transaction_id", UUID.class),
                rs.getObject("created_by", UUID.class), rs.getTimestamp("created_at").toInstant());
    }

    private static @Nullable BigDecimal decimal(ResultSet rs, String column) throws SQLException {
        BigDecimal v = rs.getBigDecimal(column);
        if (v == null) {
            return null;
        }
        BigDecimal stripped = v.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
