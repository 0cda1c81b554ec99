package io.iploop.server.billing.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.billing.AutoTopUpSettings;
import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingException.Reason;
import io.iploop.server.billing.BillingPackage;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.CreditBalance;
import io.iploop.server.billing.FeatureSession;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.InvoiceLine;
import io.iploop.server.billing.InvoiceStatus;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.billing.PaymentInstructions;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.ledger.NewTransaction;
import io.iploop.server.ledger.PostedTransaction;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The billing service with the manual (bank transfer) provider (docs/billing.md): invoices are paid
 * outside the platform and an admin records the payment. The invoice row lock orders concurrent
 * admin actions on one invoice; the ledger's idempotency key {@code invoice:<id>:paid} is the last
 * guard against moving its money twice. Thread-safe.
 */
@Service
class DefaultBillingService implements BillingService {

    /** The provider of every invoice this service creates. */
    static final String MANUAL_PROVIDER = "manual";

    private static final String CURRENCY = "USD";

    private final InvoiceRepository repository;
    private final InvoicePdf pdfs;
    private final BillingSettings settings;
    private final LedgerService ledger;
    private final PlansService plans;
    private final AccountsService accounts;
    private final AuditService audit;
    private final Clock clock;
    private final FeatureSessions featureSessions;
    private final CreditSettingsRepository creditSettings;

    DefaultBillingService(InvoiceRepository repository, InvoicePdf pdfs, BillingSettings settings, LedgerService ledger,
            PlansService plans, AccountsService accounts, AuditService audit, Clock clock,
            FeatureSessions featureSessions, CreditSettingsRepository creditSettings) {
        this.featureSessions = featureSessions;
        this.creditSettings = creditSettings;
        this.repository = repository;
        this.pdfs = pdfs;
        this.settings = settings;
        this.ledger = ledger;
        this.plans = plans;
        this.accounts = accounts;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public List<BillingPackage> packages() {
        return settings.catalogue();
    }

    @Override
    public PaymentInstructions paymentInstructions() {
        BillingSettings.Bank bank = settings.bank();
        return new PaymentInstructions(MANUAL_PROVIDER, bank.providerLabel(), bank.accountHolder(), bank.bankName(),
                bank.iban(), bank.bic(), bank.note());
    }

    @Override
    @Transactional
    public BigDecimal creditBalance(UUID userId) {
        return ledger.account(userId, AccountPurpose.CUSTOMER_CREDITS).balance();
    }

    @Override
    @Transactional
    public Invoice requestTopUp(UUID userId, String packageId) {
        String wanted = packageId == null ? "" : packageId.strip();
        BillingPackage pkg = packages().stream().filter(p -> p.id().equals(wanted)).findFirst()
                .orElseThrow(() -> new BillingException(Reason.VALIDATION, "packageId: "
                        + (wanted.isEmpty() ? "missing" : "unknown package '" + abbreviate(wanted) + "'")
                        + " (expected one of " + packages().stream().map(BillingPackage::id).toList() + ")",
                        "packageId"));
        Account account = accounts.find(userId)
                .orElseThrow(() -> new BillingException(Reason.VALIDATION, "no such user", "userId"));
        if (pkg.kind() == PackageKind.GB && activeSubscription(userId) == null) {
            throw new BillingException(Reason.NO_SUBSCRIPTION,
                    "a GB package is added to an active plan, and the account has none", "packageId");
        }
        Instant now = clock.instant();
        int year = now.atZone(ZoneOffset.UTC).getYear();
        String number = String.format("INV-%d-%06d", year, repository.nextNumber(year));
        String description = pkg.kind() == PackageKind.CREDITS
                ? pkg.name() + " (prepaid credits, 1 credit = USD 1)"
                : pkg.name() + " (" + pkg.gb().toPlainString() + " GB added to the plan balance)";
        List<InvoiceLine> lines = List.of(new InvoiceLine(description, 1, pkg.priceCents(), pkg.priceCents()));
        long subtotal = lines.stream().mapToLong(InvoiceLine::amountCents).sum();
        long tax = 0;
        String buyer = (account.firstName() + " " + account.lastName()).strip()
                + (account.company() == null || account.company().isBlank() ? "" : ", " + account.company());
        Invoice invoice = new Invoice(UUID.randomUUID(), number, userId, InvoiceStatus.OPEN, MANUAL_PROVIDER,
                pkg.kind(), pkg.id(), pkg.totalCredits(), pkg.gb(), CURRENCY, subtotal, tax, subtotal + tax, lines,
                buyer.isBlank() ? account.email() : buyer, account.email(), null, null, now, null, null, null);
        repository.insert(invoice, pdfs.render(invoice, paymentInstructions()));
        audit.record(new AuditEvent(userId, AuditAction.INVOICE_REQUESTED, "invoice", invoice.id().toString(),
                Map.of("number", number, "package", pkg.id(), "totalCents", Long.toString(invoice.totalCents()))));
        return repository.find(invoice.id()).orElseThrow();
    }

    private @Nullable Subscription activeSubscription(UUID userId) {
        return plans.current(userId).filter(s -> "active".equals(s.status())).orElse(null);
    }

    @Override
    @Transactional(readOnly = true)
    public List<Invoice> invoices(UUID userId, int limit) {
        return repository.byUser(userId, checkLimit(limit, 200));
    }

    @Override
    @Transactional(readOnly = true)
    public Invoice invoice(UUID userId, UUID invoiceId) {
        return repository.find(invoiceId).filter(i -> i.userId().equals(userId)).orElseThrow(DefaultBillingService::notFound);
    }

    @Override
    @Transactional(readOnly = true)
    public byte[] pdf(UUID userId, UUID invoiceId) {
        return repository.pdf(userId, invoiceId).orElseThrow(DefaultBillingService::notFound);
    }

    @Override
    @Transactional(readOnly = true)
    public List<Invoice> adminInvoices(@Nullable InvoiceStatus status, int limit) {
        return repository.all(status, checkLimit(limit, 500));
    }

    @Override
    @Transactional
    public Invoice markPaid(UUID adminId, UUID invoiceId, String paymentReference) {
        String reference = paymentReference == null ? "" : paymentReference.strip();
        if (reference.isEmpty() || reference.length() > 200) {
            throw new BillingException(Reason.VALIDATION, "paymentReference: " + (reference.isEmpty() ? "missing"
                    : reference.length() + " characters") + " (expected: the transfer's reference, 1-200 characters)",
                    "paymentReference");
        }
        Invoice invoice = repository.lock(invoiceId).orElseThrow(DefaultBillingService::notFound);
        if (invoice.status() == InvoiceStatus.PAID) {
            return invoice; // a retry or a concurrent call that lost the lock: the money moved once
        }
        if (invoice.status() != InvoiceStatus.OPEN) {
            throw new BillingException(Reason.INVOICE_NOT_OPEN,
                    "invoice " + invoice.number() + " is " + invoice.status().value() + " and cannot be paid", null);
        }
        PostedTransaction tx = ledger.post(new NewTransaction(TransactionKind.CUSTOMER_PAYMENT,
                "invoice:" + invoice.id() + ":paid", "Invoice " + invoice.number() + " paid (" + invoice.provider() + ")",
                postings(invoice), null, adminId,
                Map.of("invoiceId", invoice.id().toString(), "invoiceNumber", invoice.number(),
                        "paymentReference", reference, "provider", invoice.provider())));
        if (invoice.packageKind() == PackageKind.GB) {
            if (activeSubscription(invoice.userId()) == null) {
                throw new BillingException(Reason.NO_SUBSCRIPTION, "the buyer of invoice " + invoice.number()
                        + " has no active plan to add the GB to; assign a plan first", null);
            }
            plans.addBalance(adminId, invoice.userId(), Objects.requireNonNull(invoice.gb()),
                    "Invoice " + invoice.number() + " paid");
        }
        Instant now = clock.instant();
        Invoice paid = withStatus(invoice, InvoiceStatus.PAID, reference, tx.id(), now, null);
        repository.markPaid(invoice.id(), reference, tx.id(), adminId, now,
                pdfs.render(paid, paymentInstructions()));
        audit.record(new AuditEvent(adminId, AuditAction.INVOICE_MARKED_PAID, "invoice", invoice.id().toString(),
                Map.of("owner", invoice.userId().toString(), "number", invoice.number(),
                        "totalCents", Long.toString(invoice.totalCents()), "reference", reference,
                        "transactionId", tx.id().toString())));
        return repository.find(invoice.id()).orElseThrow();
    }

    /**
     * The ledger movement of a paid invoice (docs/billing.md#ledger): the money in from
     * {@link AccountPurpose#CUSTOMER_PAYMENTS}; credits to the customer with any bonus from
     * {@link AccountPurpose#CREDIT_BONUSES}, or the price to {@link AccountPurpose#GB_PACKAGE_SALES}.
     */
    private List<Posting> postings(Invoice invoice) {
        BigDecimal paid = BigDecimal.valueOf(invoice.totalCents(), 2);
        List<Posting> postings = new ArrayList<>();
        postings.add(new Posting(ledger.platformAccount(AccountPurpose.CUSTOMER_PAYMENTS).id(), paid.negate()));
        if (invoice.packageKind() == PackageKind.CREDITS) {
            BigDecimal credits = Objects.requireNonNull(invoice.credits());
            postings.add(new Posting(ledger.account(invoice.userId(), AccountPurpose.CUSTOMER_CREDITS).id(), credits));
            BigDecimal bonus = credits.subtract(paid);
            if (bonus.signum() != 0) {
                postings.add(new Posting(ledger.platformAccount(AccountPurpose.CREDIT_BONUSES).id(), bonus.negate()));
            }
        } else {
            postings.add(new Posting(ledger.platformAccount(AccountPurpose.GB_PACKAGE_SALES).id(), paid));
        }
        return postings;
    }

    @Override
    @Transactional
    public Invoice voidInvoice(UUID adminId, UUID invoiceId, String reason) {
        String why = reason == null ? "" : reason.strip();
        if (why.length() < 3 || why.length() > 500) {
            throw new BillingException(Reason.VALIDATION,
                    "reason: " + why.length() + " characters (expected: 3-500)", "reason");
        }
        Invoice invoice = repository.lock(invoiceId).orElseThrow(DefaultBillingService::notFound);
        if (invoice.status() != InvoiceStatus.OPEN) {
            throw new BillingException(Reason.INVOICE_NOT_OPEN,
                    "invoice " + invoice.number() + " is " + invoice.status().value() + " and cannot be voided", null);
        }
        Instant now = clock.instant();
        Invoice voided = withStatus(invoice, InvoiceStatus.VOID, null, null, null, now);
        repository.markVoid(invoice.id(), why, adminId, now, pdfs.render(voided, paymentInstructions()));
        audit.record(new AuditEvent(adminId, AuditAction.INVOICE_VOIDED, "invoice", invoice.id().toString(),
                Map.of("owner", invoice.userId().toString(), "number", invoice.number(),
                        "totalCents", Long.toString(invoice.totalCents()), "reason", why)));
        return repository.find(invoice.id()).orElseThrow();
    }

    @Override
    @Transactional
    public Invoice requestCreditPurchase(UUID userId, String packageId) {
        String wanted = packageId == null ? "" : packageId.strip();
        List<String> credits = packages().stream().filter(p -> p.kind() == PackageKind.CREDITS).map(BillingPackage::id)
                .toList();
        if (!credits.contains(wanted)) {
            throw new BillingException(Reason.VALIDATION, "packageId: "
                    + (wanted.isEmpty() ? "missing" : "'" + abbreviate(wanted) + "' is not a credit package")
                    + " (expected one of " + credits + ")", "packageId");
        }
        return requestTopUp(userId, wanted);
    }

    @Override
    @Transactional(readOnly = true)
    public CreditBalance credits(UUID userId) {
        return featureSessions.overview(userId);
    }

    @Override
    @Transactional(readOnly = true)
    public List<FeatureSession> featureSessions(UUID userId, int limit) {
        return featureSessions.sessions(userId, checkLimit(limit, 200));
    }

    @Override
    @Transactional(readOnly = true)
    public AutoTopUpSettings autoTopUp(UUID userId) {
        return creditSettings.autoTopUp(userId);
    }

    private static Invoice withStatus(Invoice i, InvoiceStatus status, @Nullable String reference,
            @Nullable UUID transactionId, @Nullable Instant paidAt, @Nullable Instant voidedAt) {
        return new Invoice(i.id(), i.number(), i.userId(), status, i.provider(), i.packageKind(), i.packageId(),
                i.credits(), i.gb(), i.currency(), i.subtotalCents(), i.taxCents(), i.totalCents(), i.lines(),
                i.buyerName(), i.buyerEmail(), reference, transactionId, i.createdAt(), paidAt, voidedAt, null);
    }

    private static int checkLimit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw new BillingException(Reason.VALIDATION, "limit: " + limit + " (expected: 1-" + max + ")", "limit");
        }
        return limit;
    }

    private static BillingException notFound() {
        return new BillingException(Reason.INVOICE_NOT_FOUND, "no such invoice", null);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
