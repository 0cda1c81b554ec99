package io.iploop.server.billing.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingException.Reason;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.InvoiceLine;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Invoices billed before they are paid: a plan upgrade's prorated difference and a period's overage
 * (docs/billing.md#ledger). Issuing one posts its charge at once, one balanced transaction with the
 * caller's idempotency key: {@code CUSTOMER_RECEIVABLES −total}, {@code VAT_PAYABLE +tax}, the sales
 * account ({@code SUBSCRIPTION_SALES} or {@code OVERAGE_SALES}) {@code +net}. Paying the invoice
 * (DefaultBillingService#settle) clears the receivable; voiding it reverses the charge. Joins the
 * caller's transaction. Thread-safe.
 */
@Component
class BilledInvoices {

    private final DefaultBillingService billing;
    private final LedgerService ledger;
    private final AccountsService accounts;

    BilledInvoices(DefaultBillingService billing, LedgerService ledger, AccountsService accounts) {
        this.billing = billing;
        this.ledger = ledger;
        this.accounts = accounts;
    }

    /**
     * Issues an open invoice of {@code kind} ({@link PackageKind#billed()}) and posts its charge.
     *
     * @param planId the plan it bills (stored as the invoice's package id)
     * @param key the charge's idempotency key, e.g. {@code overage:<subscription>:<period start>}
     * @throws BillingException {@code VALIDATION} for an unknown user
     */
    Billed issue(UUID userId, PackageKind kind, String planId, List<InvoiceLine> lines, String key,
            Map<String, String> metadata) {
        Account account = accounts.find(userId)
                .orElseThrow(() -> new BillingException(Reason.VALIDATION, "no such user", "userId"));
        Invoice invoice = billing.issue(account, kind, planId, null, null, lines, DefaultBillingService.MANUAL_PROVIDER,
                kind.value(), planId);
        List<Posting> postings = new ArrayList<>();
        postings.add(new Posting(ledger.platformAccount(AccountPurpose.CUSTOMER_RECEIVABLES).id(),
                invoice.totalAmount().negate()));
        if (invoice.taxCents() > 0) {
            postings.add(new Posting(ledger.platformAccount(AccountPurpose.VAT_PAYABLE).id(),
                    BigDecimal.valueOf(invoice.taxCents(), 2)));
        }
        postings.add(new Posting(ledger.platformAccount(salesAccount(kind)).id(),
                BigDecimal.valueOf(invoice.subtotalCents(), 2)));
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("invoiceId", invoice.id().toString());
        meta.put("invoiceNumber", invoice.number());
        meta.put("userId", userId.toString());
        PostedTransaction tx = ledger.post(new NewTransaction(kind == PackageKind.PLAN
                ? TransactionKind.PLAN_CHANGE_CHARGE : TransactionKind.OVERAGE_CHARGE, key,
                "Invoice " + invoice.number() + " billed (" + kind.value() + ", plan " + planId + ")", postings, null,
                userId, meta));
        if (tx.replayed()) {
            // The caller's own key guards against this; a replay here means a second invoice was issued.
            throw new IllegalStateException("charge " + key + " was billed before");
        }
        return new Billed(invoice, tx.id());
    }

    /** An issued invoice with the ledger transaction of its charge. */
    record Billed(Invoice invoice, UUID transactionId) {}

    /** The platform account that takes the net price of a billed invoice. */
    static AccountPurpose salesAccount(PackageKind kind) {
        return kind == PackageKind.OVERAGE ? AccountPurpose.OVERAGE_SALES : AccountPurpose.SUBSCRIPTION_SALES;
    }

    /** Reverses the charge of a billed invoice being voided, keyed {@code invoice:<id>:void}. */
    static void postVoid(LedgerService ledger, Invoice invoice, java.util.UUID actorId, String reason) {
        List<Posting> postings = new ArrayList<>();
        postings.add(new Posting(ledger.platformAccount(AccountPurpose.CUSTOMER_RECEIVABLES).id(),
                invoice.totalAmount()));
        if (invoice.taxCents() > 0) {
            postings.add(new Posting(ledger.platformAccount(AccountPurpose.VAT_PAYABLE).id(),
                    BigDecimal.valueOf(invoice.taxCents(), 2).negate()));
        }
        postings.add(new Posting(ledger.platformAccount(salesAccount(invoice.packageKind())).id(),
                BigDecimal.valueOf(invoice.subtotalCents(), 2).negate()));
        ledger.post(new NewTransaction(TransactionKind.INVOICE_VOIDED, "invoice:" + invoice.id() + ":void",
                "Invoice " + invoice.number() + " voided", postings, null, actorId,
                Map.of("invoiceId", invoice.id().toString(), "invoiceNumber", invoice.number(), "reason", reason)));
    }
}
