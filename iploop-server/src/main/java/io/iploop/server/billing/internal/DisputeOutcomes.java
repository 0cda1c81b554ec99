package io.iploop.server.billing.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.billing.CreditNote;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.PoolPlanSales;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.notifications.NotificationsService;
import io.iploop.server.plans.PlansService;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * How a dispute ends (docs/billing.md#disputes), from Stripe's {@code charge.dispute.closed}. A
 * dispute <em>won</em> gives back exactly what its chargeback took: one ledger transaction that
 * mirrors the chargeback's postings (money, tax, credits taken and credits lost), keyed
 * {@code invoice:<id>:chargeback:<dispute id>:won}, the GB taken put back on the plan balance, and the
 * invoice's refunded total lowered, and for a pool plan invoice the pool access the chargeback took
 * ({@link PoolPlanSales#reinstate}); the chargeback's credit note stays as issued but is no longer in
 * force. A dispute <em>lost</em> changes nothing more (it records the chargeback if no earlier event
 * did). The outcome is stored once per dispute, so a replay, or a {@code created} /
 * {@code funds_withdrawn} arriving after the close, changes nothing. Runs in the webhook's
 * transaction with the invoice row locked. Thread-safe.
 */
@Component
class DisputeOutcomes {

    private static final Logger log = LoggerFactory.getLogger(DisputeOutcomes.class);

    private final InvoiceRepository invoices;
    private final CreditNoteRepository creditNotes;
    private final StripeOutcomeRepository outcomes;
    private final LedgerService ledger;
    private final PlansService plans;
    private final AuditService audit;
    private final NotificationsService notifications;
    private final ObjectProvider<PoolPlanSales> poolSales;

    DisputeOutcomes(InvoiceRepository invoices, CreditNoteRepository creditNotes, StripeOutcomeRepository outcomes,
            LedgerService ledger, PlansService plans, AuditService audit, NotificationsService notifications,
            ObjectProvider<PoolPlanSales> poolSales) {
        this.invoices = invoices;
        this.creditNotes = creditNotes;
        this.outcomes = outcomes;
        this.ledger = ledger;
        this.plans = plans;
        this.audit = audit;
        this.notifications = notifications;
        this.poolSales = poolSales;
    }

    /** Whether the dispute was already closed as won (then a late {@code created} records no chargeback). */
    boolean won(String disputeId) {
        return outcomes.outcome(disputeId).filter("won"::equals).isPresent();
    }

    /**
     * Applies {@code charge.dispute.closed}; the caller has locked the invoice.
     *
     * @param status the dispute's final status ({@code won}, {@code lost}, or another that changes nothing)
     * @param recordChargeback records the dispute's chargeback (for a lost dispute no earlier event recorded)
     */
    String closed(String eventId, String disputeId, String status, Invoice invoice, Supplier<String> recordChargeback) {
        if (!"won".equals(status) && !"lost".equals(status)) {
            return "ignored: dispute closed " + status; // e.g. warning_closed: an inquiry that took nothing
        }
        if (!outcomes.insertOutcome(disputeId, invoice.id(), status, eventId)) {
            return "dispute_outcome_already_recorded";
        }
        Optional<CreditNote> chargeback = creditNotes.byKey("invoice:" + invoice.id() + ":chargeback:" + disputeId);
        if ("lost".equals(status)) {
            return chargeback.isPresent() ? "dispute_lost" : "dispute_lost: " + recordChargeback.get();
        }
        if (chargeback.isEmpty()) {
            return "dispute_won: nothing had been taken";
        }
        CreditNote note = chargeback.get();
        PostedTransaction taken = ledger.findByIdempotencyKey(note.idempotencyKey()).orElseThrow();
        List<Posting> back = taken.postings().stream()
                .map(p -> new Posting(p.accountId(), p.amount().negate())).toList();
        PostedTransaction tx = ledger.post(new NewTransaction(TransactionKind.CUSTOMER_DISPUTE_WON,
                note.idempotencyKey() + ":won", "Dispute " + disputeId + " won: chargeback " + note.number()
                        + " of invoice " + invoice.number() + " given back",
                back, taken.id(), null, Map.of("invoiceId", invoice.id().toString(), "invoiceNumber", invoice.number(),
                        "creditNote", note.number(), "stripeDispute", disputeId, "stripeEvent", eventId)));
        BigDecimal gb = creditNotes.gbTaken(note.id()).orElse(note.gb() == null ? BigDecimal.ZERO : note.gb());
        if (gb.signum() > 0) {
            if (plans.current(invoice.userId()).filter(s -> "active".equals(s.status())).isPresent()) {
                plans.addBalance(invoice.userId(), invoice.userId(), gb, "Dispute " + disputeId + " of invoice "
                        + invoice.number() + " won");
            } else {
                log.error("Dispute {} of invoice {} won, but the account has no active plan to put {} GB back on: "
                        + "check by hand", disputeId, invoice.number(), gb.toPlainString());
            }
        }
        if (invoice.packageKind() == io.iploop.server.billing.PackageKind.POOL) {
            // The time the chargeback took from the grant comes back (docs/upstream-pool.md#buying-a-pool-plan).
            poolSales.ifAvailable(sales -> sales.reinstate(invoice, "dispute " + disputeId + " won"));
        }
        invoices.addRefunded(invoice.id(), -note.amountCents());
        outcomes.gaveBack(disputeId, note.id(), tx.id(), note.amountCents(), note.taxCents());
        audit.record(new AuditEvent(invoice.userId(), AuditAction.INVOICE_DISPUTE_WON, "invoice", invoice.id().toString(),
                Map.of("owner", invoice.userId().toString(), "number", invoice.number(), "creditNote", note.number(),
                        "amountCents", Long.toString(note.amountCents()), "dispute", disputeId,
                        "transactionId", tx.id().toString())));
        notifications.notify(invoice.userId(), "dispute_won", "Dispute of invoice " + invoice.number() + " closed",
                "The dispute of invoice " + invoice.number() + " was decided for the payment: what the chargeback "
                        + note.number() + " took back is on your account again.", "/billing");
        return "dispute_won_given_back";
    }
}
