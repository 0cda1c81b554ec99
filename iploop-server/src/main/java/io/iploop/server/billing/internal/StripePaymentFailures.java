package io.iploop.server.billing.internal;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.billing.CreditNote;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.InvoiceStatus;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.billing.PoolPlanSales;
import io.iploop.server.billing.PaymentInstructions;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.mail.MailService;
import io.iploop.server.mail.OutgoingMail;
import io.iploop.server.notifications.NotificationsService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Payments that fail after they were started (docs/billing.md#failed-payments): Stripe's
 * {@code payment_intent.payment_failed} and {@code checkout.session.async_payment_failed}, e.g. a
 * SEPA debit that was {@code processing}. Nothing is granted while a payment is processing, so an
 * invoice still open just stays open (unpaid) and the customer is told once, with the bank transfer
 * details. An invoice already paid by that very payment is reversed: one balanced ledger transaction
 * keyed {@code invoice:<id>:payment_failed} takes back what is left of what it granted, the invoice
 * becomes {@code failed}, the customer is told. Runs in the webhook's transaction, with the invoice
 * row locked, so a replay or a second failure event of the same payment reverses nothing more.
 * Thread-safe.
 */
@Component
class StripePaymentFailures {

    private static final Logger log = LoggerFactory.getLogger(StripePaymentFailures.class);

    private final InvoiceRepository invoices;
    private final CreditNoteRepository creditNotes;
    private final StripeOutcomeRepository outcomes;
    private final LedgerService ledger;
    private final PlansService plans;
    private final NotificationsService notifications;
    private final MailService mail;
    private final AccountsService accounts;
    private final AuditService audit;
    private final InvoicePdf pdfs;
    private final DefaultBillingService billing;
    private final ObjectProvider<PoolPlanSales> poolSales;

    StripePaymentFailures(InvoiceRepository invoices, CreditNoteRepository creditNotes, StripeOutcomeRepository outcomes,
            LedgerService ledger, PlansService plans, NotificationsService notifications, MailService mail,
            AccountsService accounts, AuditService audit, InvoicePdf pdfs, DefaultBillingService billing,
            ObjectProvider<PoolPlanSales> poolSales) {
        this.poolSales = poolSales;
        this.invoices = invoices;
        this.creditNotes = creditNotes;
        this.outcomes = outcomes;
        this.ledger = ledger;
        this.plans = plans;
        this.notifications = notifications;
        this.mail = mail;
        this.accounts = accounts;
        this.audit = audit;
        this.pdfs = pdfs;
        this.billing = billing;
    }

    /**
     * Records a failure the off-session charge was told synchronously (a declined card), so the
     * later {@code payment_intent.payment_failed} does not tell the customer a second time. Joins the
     * caller's transaction.
     */
    void noteSynchronousFailure(UUID invoiceId, String reason) {
        outcomes.insertFailure(invoiceId, null, reason, null);
    }

    /** {@code payment_intent.payment_failed}: our invoice from the metadata, else the invoice this payment paid. */
    String intentFailed(String eventId, JsonNode intent) {
        String paymentIntent = text(intent, "id");
        UUID invoiceId = uuid(text(intent.path("metadata"), "invoiceId"));
        Optional<Invoice> invoice = invoiceId != null ? invoices.find(invoiceId)
                : paymentIntent == null ? Optional.empty() : invoices.findByPaymentReference("stripe " + paymentIntent);
        if (paymentIntent == null || invoice.isEmpty()) {
            return "ignored: payment intent of no invoice of ours";
        }
        return failed(eventId, invoice.get().id(), "stripe " + paymentIntent, failureReason(intent));
    }

    /** {@code checkout.session.async_payment_failed}: a delayed method (e.g. SEPA) of a Checkout payment failed. */
    String checkoutFailed(String eventId, JsonNode session) {
        String ref = text(session.path("metadata"), "invoiceId");
        UUID invoiceId = uuid(ref != null ? ref : text(session, "client_reference_id"));
        if (invoiceId == null || invoices.find(invoiceId).isEmpty()) {
            return "ignored: unknown invoice";
        }
        String intent = text(session, "payment_intent");
        return failed(eventId, invoiceId, "stripe " + (intent != null ? intent : text(session, "id")),
                "the delayed payment failed");
    }

    private String failed(String eventId, UUID invoiceId, String reference, String reason) {
        Invoice invoice = invoices.lock(invoiceId).orElseThrow();
        return switch (invoice.status()) {
            case OPEN -> {
                if (!outcomes.insertFailure(invoice.id(), reference, reason, eventId)) {
                    yield "payment_failure_already_told";
                }
                tellOpen(invoice, reason);
                yield "payment_failed_invoice_open";
            }
            case PAID -> {
                if (!reference.equals(invoice.paymentReference())) {
                    log.error("Stripe payment {} failed, but invoice {} was paid by {}: nothing reversed, check by hand",
                            reference, invoice.number(), invoice.paymentReference());
                    yield "ignored: invoice paid by another payment";
                }
                reverse(invoice, eventId, reference, reason);
                yield "payment_failed_reversed";
            }
            case FAILED -> "payment_failure_already_reversed";
            case VOID -> "ignored: invoice void";
        };
    }

    /**
     * Takes back what is left of what the paid invoice granted (what refunds and chargebacks in force
     * have not taken already): the money in, the tax, the credits (at most what is unspent; the spent
     * rest is booked to {@link AccountPurpose#CHARGEBACK_LOSSES}, as for a chargeback, since
     * {@link AccountPurpose#CUSTOMER_CREDITS} never goes negative) or the GB (at most the plan balance).
     */
    private void reverse(Invoice invoice, String eventId, String reference, String reason) {
        List<CreditNote> taken = creditNotes.inForce(invoice.id());
        long money = invoice.totalCents() - invoice.refundedCents();
        long tax = invoice.taxCents() - taken.stream().mapToLong(CreditNote::taxCents).sum();
        BigDecimal net = BigDecimal.valueOf(money - tax, 2);
        List<Posting> postings = new ArrayList<>();
        BigDecimal lost = BigDecimal.ZERO;
        BigDecimal gbToTake = BigDecimal.ZERO;
        if (money > 0) {
            postings.add(new Posting(ledger.platformAccount(AccountPurpose.CUSTOMER_PAYMENTS).id(),
                    BigDecimal.valueOf(money, 2)));
        }
        if (tax > 0) {
            postings.add(new Posting(ledger.platformAccount(AccountPurpose.VAT_PAYABLE).id(),
                    BigDecimal.valueOf(tax, 2).negate()));
        }
        if (invoice.packageKind() == PackageKind.CREDITS) {
            BigDecimal credits = Objects.requireNonNull(invoice.credits()).subtract(taken.stream()
                    .map(CreditNote::credits).filter(Objects::nonNull).reduce(BigDecimal.ZERO, BigDecimal::add));
            BigDecimal unspent = ledger.account(invoice.userId(), AccountPurpose.CUSTOMER_CREDITS).balance();
            BigDecimal take = credits.min(unspent.max(BigDecimal.ZERO));
            lost = credits.subtract(take);
            if (take.signum() > 0) {
                postings.add(new Posting(ledger.account(invoice.userId(), AccountPurpose.CUSTOMER_CREDITS).id(),
                        take.negate()));
            }
            if (lost.signum() > 0) {
                postings.add(new Posting(ledger.platformAccount(AccountPurpose.CHARGEBACK_LOSSES).id(), lost.negate()));
            }
            BigDecimal bonus = credits.subtract(net);
            if (bonus.signum() != 0) {
                postings.add(new Posting(ledger.platformAccount(AccountPurpose.CREDIT_BONUSES).id(), bonus));
            }
        } else if (invoice.packageKind() == PackageKind.POOL) {
            if (net.signum() != 0) {
                postings.add(new Posting(ledger.platformAccount(AccountPurpose.POOL_PLAN_SALES).id(), net.negate()));
            }
            poolSales.getObject().revoke(invoice, "payment failed (Stripe event " + eventId + ")");
        } else {
            BigDecimal gb = Objects.requireNonNull(invoice.gb()).subtract(taken.stream()
                    .map(CreditNote::gb).filter(Objects::nonNull).reduce(BigDecimal.ZERO, BigDecimal::add));
            Subscription sub = plans.current(invoice.userId()).filter(s -> "active".equals(s.status())).orElse(null);
            gbToTake = sub == null ? BigDecimal.ZERO : gb.min(sub.gbBalance().max(BigDecimal.ZERO));
            if (net.signum() != 0) {
                postings.add(new Posting(ledger.platformAccount(AccountPurpose.GB_PACKAGE_SALES).id(), net.negate()));
            }
        }
        UUID transactionId = null;
        if (!postings.isEmpty()) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("invoiceId", invoice.id().toString());
            meta.put("invoiceNumber", invoice.number());
            meta.put("paymentReference", reference);
            meta.put("stripeEvent", eventId);
            meta.put("reason", reason);
            if (lost.signum() > 0) {
                meta.put("lostCredits", lost.toPlainString());
            }
            if (gbToTake.signum() > 0) {
                meta.put("gbTaken", gbToTake.toPlainString());
            }
            PostedTransaction tx = ledger.post(new NewTransaction(TransactionKind.CUSTOMER_PAYMENT_FAILED,
                    "invoice:" + invoice.id() + ":payment_failed", "Payment of invoice " + invoice.number() + " failed",
                    postings, invoice.ledgerTransactionId(), null, meta));
            transactionId = tx.id();
        }
        if (gbToTake.signum() > 0) {
            plans.addBalance(invoice.userId(), invoice.userId(), gbToTake.negate(),
                    "Payment of invoice " + invoice.number() + " failed");
        }
        Invoice failed = DefaultBillingService.withStatus(invoice, InvoiceStatus.FAILED, invoice.paymentReference(),
                invoice.ledgerTransactionId(), invoice.paidAt(), null);
        invoices.markFailed(invoice.id(), pdfs.render(failed, billing.paymentInstructions()));
        if (transactionId != null) {
            outcomes.reversed(invoice.id(), reference, reason, eventId, transactionId, lost);
        }
        audit.record(new AuditEvent(invoice.userId(), AuditAction.INVOICE_PAYMENT_FAILED, "invoice",
                invoice.id().toString(), Map.of("owner", invoice.userId().toString(), "number", invoice.number(),
                        "reference", reference, "reason", reason, "lostCredits", lost.toPlainString(),
                        "transactionId", transactionId == null ? "" : transactionId.toString())));
        if (lost.signum() > 0) {
            log.error("Payment of invoice {} failed after {} of its credits were spent: booked as a loss, collect by hand",
                    invoice.number(), lost.toPlainString());
        }
        String what = switch (invoice.packageKind()) {
            case CREDITS -> "the credits it bought were taken back";
            case POOL -> "the pool access it bought was taken back";
            default -> "the GB it bought were taken off your plan balance";
        };
        tell(invoice, "Payment of invoice " + invoice.number() + " failed", "The payment of invoice " + invoice.number()
                + " (USD " + BigDecimal.valueOf(invoice.totalCents(), 2).toPlainString() + ") failed after it had been "
                + "credited: " + reason + ". The invoice is marked failed and " + what
                + (lost.signum() > 0 ? " (USD " + lost.toPlainString() + " of them were already spent)" : "")
                + ". Buy again on the billing page to continue.");
    }

    private void tellOpen(Invoice invoice, String reason) {
        PaymentInstructions p = billing.paymentInstructions();
        tell(invoice, "Payment of invoice " + invoice.number() + " failed", "The payment of invoice " + invoice.number()
                + " (USD " + BigDecimal.valueOf(invoice.totalCents(), 2).toPlainString() + ") failed: " + reason
                + ". Nothing was credited; the invoice is still open. Please transfer the amount to "
                + p.accountHolder() + ", IBAN " + p.iban() + ", BIC " + p.bic() + ", reference " + invoice.number()
                + ", or pay by card on the billing page.");
    }

    /** In-dashboard notification and e-mail: a failed payment is always told (not a preference). */
    private void tell(Invoice invoice, String title, String body) {
        notifications.notify(invoice.userId(), "payment_failed", title, body, "/billing");
        accounts.find(invoice.userId()).ifPresent(a -> mail.enqueue(new OutgoingMail(a.email(), "IPLoop: " + title, body)));
    }

    /** Why Stripe says the payment failed: {@code last_payment_error}'s code and message. */
    private static String failureReason(JsonNode intent) {
        JsonNode error = intent.path("last_payment_error");
        String code = text(error, "decline_code") != null ? text(error, "decline_code") : text(error, "code");
        String message = text(error, "message");
        if (message == null && code == null) {
            return "the payment failed";
        }
        return (message != null ? message : "the payment failed") + (code != null ? " (" + code + ")" : "");
    }

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.isMissingNode() ? null : value.asString();
    }

    private static @Nullable UUID uuid(@Nullable String value) {
        try {
            return value == null ? null : UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
