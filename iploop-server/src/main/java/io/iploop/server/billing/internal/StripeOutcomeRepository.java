package io.iploop.server.billing.internal;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code billing_payment_failures} and {@code billing_dispute_outcomes}
 * (docs/billing.md#failed-payments, #disputes). Joins the caller's transaction. Thread-safe.
 */
@Repository
class StripeOutcomeRepository {

    private final JdbcClient jdbc;

    StripeOutcomeRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records that a payment of the invoice failed and the customer was told.
     *
     * @return false when a failure of this invoice was recorded before (the customer was told then)
     */
    boolean insertFailure(UUID invoiceId, @Nullable String reference, String reason, @Nullable String eventId) {
        return jdbc.sql("""
                INSERT INTO billing_payment_failures (invoice_id, payment_reference, reason, stripe_event_id)
                VALUES (:invoice, :ref, :reason, :event) ON CONFLICT (invoice_id) DO NOTHING""")
                .param("invoice", invoiceId).param("ref", reference).param("reason", cut(reason))
                .param("event", eventId).update() == 1;
    }

    /** Records the reversal of a paid invoice whose payment failed (replacing an earlier failure's row). */
    void reversed(UUID invoiceId, String reference, String reason, String eventId, UUID transactionId,
            BigDecimal lostCredits) {
        jdbc.sql("""
                INSERT INTO billing_payment_failures (invoice_id, payment_reference, reason, stripe_event_id,
                    ledger_transaction_id, lost_credits)
                VALUES (:invoice, :ref, :reason, :event, :tx, :lost)
                ON CONFLICT (invoice_id) DO UPDATE SET payment_reference = EXCLUDED.payment_reference,
                    reason = EXCLUDED.reason, stripe_event_id = EXCLUDED.stripe_event_id,
                    ledger_transaction_id = EXCLUDED.ledger_transaction_id, lost_credits = EXCLUDED.lost_credits""")
                .param("invoice", invoiceId).param("ref", reference).param("reason", cut(reason))
                .param("event", eventId).param("tx", transactionId).param("lost", lostCredits).update();
    }

    /**
     * Records how a dispute ended, once.
     *
     * @return false when its outcome was recorded before
     */
    boolean insertOutcome(String disputeId, UUID invoiceId, String status, String eventId) {
        return jdbc.sql("""
                INSERT INTO billing_dispute_outcomes (dispute_id, invoice_id, status, stripe_event_id)
                VALUES (:dispute, :invoice, :status, :event) ON CONFLICT (dispute_id) DO NOTHING""")
                .param("dispute", disputeId).param("invoice", invoiceId).param("status", status)
                .param("event", eventId).update() == 1;
    }

    /** The recorded outcome of a dispute ({@code won} or {@code lost}), if it was closed. */
    Optional<String> outcome(String disputeId) {
        return jdbc.sql("SELECT status FROM billing_dispute_outcomes WHERE dispute_id = :dispute")
                .param("dispute", disputeId).query(String.class).optional();
    }

    /** The chargeback a won dispute gave back, with its ledger transaction and amounts. */
    void gaveBack(String disputeId, UUID creditNoteId, UUID transactionId, long amountCents, long taxCents) {
        jdbc.sql("""
                UPDATE billing_dispute_outcomes SET credit_note_id = :note, ledger_transaction_id = :tx,
                    amount_cents = :amount, tax_cents = :tax WHERE dispute_id = :dispute""")
                .param("dispute", disputeId).param("note", creditNoteId).param("tx", transactionId)
                .param("amount", amountCents).param("tax", taxCents).update();
    }

    private static String cut(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500);
    }
}
