package io.iploop.server.billing.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.billing.BillingDetails;
import io.iploop.server.billing.AutoTopUpSettings;
import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.CreditNote;
import io.iploop.server.billing.CreditNoteKind;
import io.iploop.server.billing.BillingException.Reason;
import io.iploop.server.billing.WalletTopUps;
import io.iploop.server.billing.PoolPlanSales;
import io.iploop.server.billing.BillingPackage;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.CreditAlertSettings;
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
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
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

    /** The largest auto top-up or alert threshold a user can set (docs/billing.md#auto-top-up). */
    private static final BigDecimal MAX_SETTING_USD = new BigDecimal("10000");

    /** The provider of every invoice this service creates. */
    static final String MANUAL_PROVIDER = "manual";

    private static final String CURRENCY = "USD";

    private final InvoiceRepository repository;
    private final BuyerDetailsRepository details;
    private final CreditNoteRepository creditNotes;
    private final InvoicePdf pdfs;
    private final BillingSettings settings;
    private final LedgerService ledger;
    private final PlansService plans;
    private final AccountsService accounts;
    private final AuditService audit;
    private final Clock clock;
    private final StripeSettings stripe;
    private final FeatureSessions featureSessions;
    private final CreditSettingsRepository creditSettings;
    private final ObjectProvider<WalletTopUps> walletTopUps;
    private final ObjectProvider<PoolPlanSales> poolSales;

    DefaultBillingService(InvoiceRepository repository, BuyerDetailsRepository details,
            CreditNoteRepository creditNotes, InvoicePdf pdfs, BillingSettings settings, LedgerService ledger,
            PlansService plans, AccountsService accounts, AuditService audit, Clock clock, StripeSettings stripe,
            FeatureSessions featureSessions, CreditSettingsRepository creditSettings,
            ObjectProvider<WalletTopUps> walletTopUps, ObjectProvider<PoolPlanSales> poolSales) {
        this.walletTopUps = walletTopUps;
        this.poolSales = poolSales;
        this.stripe = stripe;
        this.featureSessions = featureSessions;
        this.creditSettings = creditSettings;
        this.repository = repository;
        this.details = details;
        this.creditNotes = creditNotes;
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
        PoolPlanSales pool = poolSales.getIfAvailable();
        if (pool == null) {
            return settings.catalogue();
        }
        List<BillingPackage> all = new ArrayList<>(settings.catalogue());
        all.addAll(pool.offers()); // after credits and GB, by price
        return List.copyOf(all);
    }

    @Override
    public PaymentInstructions paymentInstructions() {
        BillingSettings.Bank bank = settings.bank();
        return new PaymentInstructions(MANUAL_PROVIDER, bank.providerLabel(), bank.accountHolder(), bank.bankName(),
                bank.iban(), bank.bic(), bank.note());
    }

    @Override
    public boolean cardPayments() {
        return stripe.enabled();
    }

    @Override
    @Transactional
    public BigDecimal creditBalance(UUID userId) {
        return ledger.account(userId, AccountPurpose.CUSTOMER_CREDITS).balance();
    }

    @Override
    @Transactional
    public Invoice requestTopUp(UUID userId, String packageId) {
        return createInvoice(userId, packageId, MANUAL_PROVIDER);
    }

    /**
     * Creates an open invoice for one package, collected by {@code provider} ({@code manual} or
     * {@code stripe}); the checks and numbering of {@link #requestTopUp}. In the caller's transaction.
     */
    @Transactional
    Invoice createInvoice(UUID userId, String packageId, String provider) {
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
        if (pkg.kind() == PackageKind.POOL) {
            poolSales.getObject().checkPurchase(userId, pkg);
        }
        String description = switch (pkg.kind()) {
            case CREDITS -> pkg.name() + " (prepaid credits, 1 credit = USD 1)";
            case POOL -> pkg.name();
            default -> pkg.name() + " (" + Objects.requireNonNull(pkg.gb()).toPlainString() + " GB added to the plan balance)";
        };
        List<InvoiceLine> lines = List.of(new InvoiceLine(description, 1, pkg.priceCents(), pkg.priceCents()));
        return issue(account, pkg.kind(), pkg.id(), pkg.totalCredits(), pkg.gb(), lines, provider, "package", pkg.id());
    }

    /**
     * Issues an open invoice of {@code lines} for any kind (a package, a plan change, overage): the next
     * number of the year, the buyer's details and VAT decision frozen, the PDF, audited as
     * {@code invoice_requested}. In the caller's transaction.
     *
     * @param refId what the invoice is for: a package id, or a plan id for a plan change and overage
     * @param auditLabel, auditValue what the audit entry names (e.g. {@code package}, {@code credits-25})
     */
    Invoice issue(Account account, PackageKind kind, String refId, @Nullable BigDecimal credits,
            @Nullable BigDecimal gb, List<InvoiceLine> lines, String provider, String auditLabel, String auditValue) {
        UUID userId = account.id();
        Instant now = clock.instant();
        int year = now.atZone(ZoneOffset.UTC).getYear();
        String number = String.format("INV-%d-%06d", year, repository.nextNumber(year));
        long subtotal = lines.stream().mapToLong(InvoiceLine::amountCents).sum();
        BillingDetails buyerDetails = details.find(userId).orElse(null);
        VatRules.Decision vat = vatDecision(userId, subtotal, buyerDetails);
        long tax = vat.taxCents();
        String company = buyerDetails != null && buyerDetails.company() != null ? buyerDetails.company()
                : account.company();
        String buyer = (account.firstName() + " " + account.lastName()).strip()
                + (company == null || company.isBlank() ? "" : ", " + company);
        Subscription plan = activeSubscription(userId);
        Invoice invoice = new Invoice(UUID.randomUUID(), number, userId, InvoiceStatus.OPEN, provider,
                kind, refId, credits, gb, CURRENCY, subtotal, tax, subtotal + tax, lines,
                buyer.isBlank() ? account.email() : buyer, account.email(), null, null, now, null, null, null,
                buyerDetails == null ? null : buyerDetails.country(), buyerDetails == null ? null : buyerDetails.vatId(),
                buyerDetails == null ? null : buyerDetails.address(), vat.ratePercent(), vat.note(), 0);
        repository.insert(invoice, plan == null ? null : plan.planId(), pdfs.render(invoice, paymentInstructions()));
        audit.record(new AuditEvent(userId, AuditAction.INVOICE_REQUESTED, "invoice", invoice.id().toString(),
                Map.of("number", number, auditLabel, auditValue, "totalCents", Long.toString(invoice.totalCents()))));
        return repository.find(invoice.id()).orElseThrow();
    }

    /**
     * The tax of a new invoice (docs/billing.md#vat): an EU VAT id counts for reverse charge only
     * once VIES has confirmed it (docs/billing.md#vies); until then VAT is charged, with a note saying why.
     */
    private VatRules.Decision vatDecision(UUID userId, long subtotal, @Nullable BillingDetails buyer) {
        VatRules rules = settings.vat().rules();
        if (buyer == null) {
            return rules.decide(subtotal, null, null);
        }
        Optional<ViesCheck> vies = details.vies(userId);
        if (buyer.vatId() == null || vies.isEmpty() || vies.get().valid()) {
            return rules.decide(subtotal, buyer.country(), buyer.vatId());
        }
        VatRules.Decision asConsumer = rules.decide(subtotal, buyer.country(), null);
        VatRules.Decision asBusiness = rules.decide(subtotal, buyer.country(), buyer.vatId());
        if (asConsumer.taxCents() == asBusiness.taxCents()) {
            return asBusiness; // reverse charge would not apply anyway
        }
        return new VatRules.Decision(asConsumer.ratePercent(), asConsumer.taxCents(), "VAT charged: VAT id "
                + buyer.vatId() + " is not confirmed by VIES (" + vies.get().status() + ").");
    }

    private @Nullable Subscription activeSubscription(UUID userId) {
        return plans.current(userId).filter(s -> "active".equals(s.status())).orElse(null);
    }

    @Override
    @Transactional
    public Invoice requestWalletTopUp(UUID userId, String currency, long amountCents, String description) {
        if (!"EUR".equals(currency)) {
            throw new BillingException(Reason.VALIDATION, "currency: " + currency + " (expected: EUR)", "currency");
        }
        if (amountCents < 100 || amountCents > 1_000_000_000L) {
            throw new BillingException(Reason.VALIDATION,
                    "amount: " + BigDecimal.valueOf(amountCents, 2).toPlainString() + " (expected: 1 to 10,000,000 EUR)", "amount");
        }
        String line = description == null ? "" : description.strip();
        if (line.isEmpty() || line.length() > 200) {
            throw new BillingException(Reason.VALIDATION, "description: " + line.length() + " characters (expected: 1-200)",
                    "description");
        }
        if (walletTopUps.getIfAvailable() == null) {
            throw new IllegalStateException("no feature funds wallet invoices");
        }
        Account account = accounts.find(userId)
                .orElseThrow(() -> new BillingException(Reason.VALIDATION, "no such user", "userId"));
        Instant now = clock.instant();
        int year = now.atZone(ZoneOffset.UTC).getYear();
        String number = String.format("INV-%d-%06d", year, repository.nextNumber(year));
        String buyer = (account.firstName() + " " + account.lastName()).strip()
                + (account.company() == null || account.company().isBlank() ? "" : ", " + account.company());
        BillingDetails buyerDetails = details.find(userId).orElse(null);
        Subscription plan = activeSubscription(userId);
        Invoice invoice = new Invoice(UUID.randomUUID(), number, userId, InvoiceStatus.OPEN, MANUAL_PROVIDER,
                PackageKind.WALLET, "campaign-wallet", null, null, currency, amountCents, 0, amountCents,
                List.of(new InvoiceLine(line, 1, amountCents, amountCents)),
                buyer.isBlank() ? account.email() : buyer, account.email(), null, null, now, null, null, null,
                buyerDetails == null ? null : buyerDetails.country(), buyerDetails == null ? null : buyerDetails.vatId(),
                buyerDetails == null ? null : buyerDetails.address(), BigDecimal.ZERO,
                "Prepayment of the campaign wallet: no VAT is charged on this invoice.", 0);
        repository.insert(invoice, plan == null ? null : plan.planId(), pdfs.render(invoice, paymentInstructions()));
        audit.record(new AuditEvent(userId, AuditAction.INVOICE_REQUESTED, "invoice", invoice.id().toString(),
                Map.of("number", number, "wallet", currency, "totalCents", Long.toString(amountCents))));
        return repository.find(invoice.id()).orElseThrow();
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
        return settle(adminId, invoiceId, reference, Map.of());
    }

    /**
     * Records an open invoice as paid: the one path of every provider (the admin's mark-paid for the
     * manual provider, the {@code checkout.session.completed} webhook for Stripe). One ledger
     * transaction keyed {@code invoice:<id>:paid}, so two providers (or two deliveries) can never both
     * credit it; bought GB, the paid PDF and the audit entry in the same database transaction. An
     * invoice already paid is returned unchanged.
     *
     * @param actorId the admin who marked it, or the invoice's owner for a payment the provider reported
     * @param reference the payment's reference (bank transfer reference, Stripe payment intent or session)
     * @param extraMetadata added to the ledger transaction's metadata (e.g. the Stripe event id)
     */
    @Transactional
    Invoice settle(UUID actorId, UUID invoiceId, String reference, Map<String, String> extraMetadata) {
        UUID adminId = actorId;
        Invoice invoice = repository.lock(invoiceId).orElseThrow(DefaultBillingService::notFound);
        if (invoice.status() == InvoiceStatus.PAID) {
            return invoice; // a retry or a concurrent call that lost the lock: the money moved once
        }
        if (invoice.status() != InvoiceStatus.OPEN) {
            throw new BillingException(Reason.INVOICE_NOT_OPEN,
                    "invoice " + invoice.number() + " is " + invoice.status().value() + " and cannot be paid", null);
        }
        UUID txId;
        if (invoice.packageKind() == PackageKind.WALLET) {
            // The wallet's feature moves the money (its own accounts and key); the invoice row lock
            // and status above make this run once per invoice.
            txId = walletTopUps.getObject().fund(invoice);
        } else {
            txId = ledger.post(new NewTransaction(TransactionKind.CUSTOMER_PAYMENT,
                    "invoice:" + invoice.id() + ":paid", "Invoice " + invoice.number() + " paid (" + invoice.provider() + ")",
                    postings(invoice), null, adminId,
                    metadata(invoice, reference, extraMetadata))).id();
        }
        if (invoice.packageKind() == PackageKind.POOL) {
            // Same transaction as the payment: a grant that fails rolls the payment back, and the
            // invoice row lock with the PAID check above makes it run once per invoice.
            poolSales.getObject().fulfil(invoice);
        }
        if (invoice.packageKind() == PackageKind.GB) {
            if (activeSubscription(invoice.userId()) == null) {
                throw new BillingException(Reason.NO_SUBSCRIPTION, "the buyer of invoice " + invoice.number()
                        + " has no active plan to add the GB to; assign a plan first", null);
            }
            plans.addBalance(adminId, invoice.userId(), Objects.requireNonNull(invoice.gb()),
                    "Invoice " + invoice.number() + " paid");
        }
        Instant now = clock.instant();
        Invoice paid = withStatus(invoice, InvoiceStatus.PAID, reference, txId, now, null);
        repository.markPaid(invoice.id(), reference, txId, adminId, now,
                pdfs.render(paid, paymentInstructions()));
        audit.record(new AuditEvent(adminId, AuditAction.INVOICE_MARKED_PAID, "invoice", invoice.id().toString(),
                Map.of("owner", invoice.userId().toString(), "number", invoice.number(),
                        "totalCents", Long.toString(invoice.totalCents()), "reference", reference,
                        "transactionId", txId.toString())));
        return repository.find(invoice.id()).orElseThrow();
    }

    private static Map<String, String> metadata(Invoice invoice, String reference, Map<String, String> extra) {
        Map<String, String> metadata = new java.util.LinkedHashMap<>(extra);
        metadata.put("invoiceId", invoice.id().toString());
        metadata.put("invoiceNumber", invoice.number());
        metadata.put("paymentReference", reference);
        metadata.put("provider", invoice.provider());
        return metadata;
    }

    /**
     * The ledger movement of a paid invoice (docs/billing.md#ledger): the money in from
     * {@link AccountPurpose#CUSTOMER_PAYMENTS} (tax included); the tax to {@link AccountPurpose#VAT_PAYABLE};
     * credits to the customer with any bonus from {@link AccountPurpose#CREDIT_BONUSES}, or the net price
     * to {@link AccountPurpose#GB_PACKAGE_SALES} (a pool plan: {@link AccountPurpose#POOL_PLAN_SALES}).
     */
    private List<Posting> postings(Invoice invoice) {
        BigDecimal paid = BigDecimal.valueOf(invoice.totalCents(), 2);
        BigDecimal net = BigDecimal.valueOf(invoice.subtotalCents(), 2);
        List<Posting> postings = new ArrayList<>();
        if (invoice.taxCents() > 0 && !invoice.packageKind().billed()) {
            postings.add(new Posting(ledger.platformAccount(AccountPurpose.VAT_PAYABLE).id(),
                    BigDecimal.valueOf(invoice.taxCents(), 2)));
        }
        if (invoice.packageKind().billed()) {
            // Charged when issued (BilledInvoices): the payment only clears what the customer owed.
            return List.of(new Posting(ledger.platformAccount(AccountPurpose.CUSTOMER_PAYMENTS).id(), paid.negate()),
                    new Posting(ledger.platformAccount(AccountPurpose.CUSTOMER_RECEIVABLES).id(), paid));
        }
        postings.add(new Posting(ledger.platformAccount(AccountPurpose.CUSTOMER_PAYMENTS).id(), paid.negate()));
        if (invoice.packageKind() == PackageKind.CREDITS) {
            BigDecimal credits = Objects.requireNonNull(invoice.credits());
            postings.add(new Posting(ledger.account(invoice.userId(), AccountPurpose.CUSTOMER_CREDITS).id(), credits));
            BigDecimal bonus = credits.subtract(net);
            if (bonus.signum() != 0) {
                postings.add(new Posting(ledger.platformAccount(AccountPurpose.CREDIT_BONUSES).id(), bonus.negate()));
            }
        } else {
            postings.add(new Posting(ledger.platformAccount(salesAccount(invoice.packageKind())).id(), net));
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
        if (invoice.packageKind().billed()) {
            BilledInvoices.postVoid(ledger, invoice, adminId, why);
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
    @Transactional(readOnly = true)
    public Optional<BillingDetails> billingDetails(UUID userId) {
        return details.find(userId);
    }

    @Override
    @Transactional
    public BillingDetails updateBillingDetails(UUID userId, BillingDetails input) {
        String country = input.country() == null ? "" : input.country().strip().toUpperCase(Locale.ROOT);
        if (!country.matches("[A-Z]{2}") || !VatRules.isCountry(country)) {
            throw new BillingException(Reason.VALIDATION, "country: " + (country.isEmpty() ? "missing"
                    : "'" + abbreviate(country) + "' is not an ISO 3166-1 alpha-2 code") + " (expected e.g. DE, FR, US)",
                    "country");
        }
        String vatId = blankToNull(input.vatId());
        if (vatId != null) {
            String normalised = VatRules.checkVatId(country, vatId);
            if (normalised == null) {
                throw new BillingException(Reason.VALIDATION, "vatId: '" + abbreviate(vatId) + "' is not a valid VAT id for "
                        + country + (VatRules.EU.contains(country) ? " (expected the prefix "
                                + (country.equals("GR") ? "EL" : country) + " and that country's format)"
                                : " (expected 2-20 letters and digits)"), "vatId");
            }
            vatId = normalised;
        }
        String company = blankToNull(input.company());
        if (company != null && company.length() > 200) {
            throw new BillingException(Reason.VALIDATION, "company: " + company.length()
                    + " characters (expected: at most 200)", "company");
        }
        String address = blankToNull(input.address());
        if (address != null && address.length() > 500) {
            throw new BillingException(Reason.VALIDATION, "address: " + address.length()
                    + " characters (expected: at most 500)", "address");
        }
        BillingDetails saved = new BillingDetails(country, vatId, company, address);
        details.save(userId, saved);
        audit.record(new AuditEvent(userId, AuditAction.BILLING_DETAILS_UPDATED, "user", userId.toString(),
                Map.of("country", country, "vatId", vatId == null ? "" : vatId, "company", company == null ? "" : company)));
        return saved;
    }

    @Override
    @Transactional
    public CreditNote refund(UUID adminId, UUID invoiceId, long amountCents, String reason,
            @Nullable String idempotencyKey) {
        return reverse(CreditNoteKind.REFUND, adminId, invoiceId, amountCents, reason, idempotencyKey);
    }

    @Override
    @Transactional
    public CreditNote recordChargeback(UUID invoiceId, long amountCents, String reason, String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw new BillingException(Reason.VALIDATION, "idempotencyKey: missing (expected the provider's dispute id)",
                    "idempotencyKey");
        }
        return reverse(CreditNoteKind.CHARGEBACK, null, invoiceId, amountCents, reason, idempotencyKey);
    }

    /**
     * A refund the payment provider made itself (e.g. in Stripe's dashboard), reported by its
     * webhook: like an admin's {@link #refund} but without an admin, idempotent by the provider's
     * refund id. Refused like a refund (e.g. {@code REFUND_EXCEEDS_UNSPENT}); the caller decides.
     */
    @Transactional
    CreditNote recordProviderRefund(UUID invoiceId, long amountCents, String reason, String idempotencyKey) {
        return reverse(CreditNoteKind.REFUND, null, invoiceId, amountCents, reason, idempotencyKey);
    }

    /**
     * A refund or chargeback (docs/billing.md#refunds). Tax, credits and GB are taken back in
     * proportion, computed on the running total of the invoice's credit notes (the share after this
     * one minus the share before), so the credit notes of a fully refunded invoice add up to exactly
     * its tax, credits and GB whatever the rounding of each.
     */
    private CreditNote reverse(CreditNoteKind kind, @Nullable UUID adminId, UUID invoiceId, long amountCents,
            String reason, @Nullable String idempotencyKey) {
        String why = reason == null ? "" : reason.strip();
        if (why.length() < 3 || why.length() > 500) {
            throw new BillingException(Reason.VALIDATION,
                    "reason: " + why.length() + " characters (expected: 3-500)", "reason");
        }
        if (amountCents <= 0) {
            throw new BillingException(Reason.VALIDATION, "amountCents: " + amountCents + " (expected: > 0)",
                    "amountCents");
        }
        String clientKey = idempotencyKey == null ? null : idempotencyKey.strip();
        if (clientKey != null && (clientKey.isEmpty() || clientKey.length() > 100)) {
            throw new BillingException(Reason.VALIDATION, "idempotencyKey: " + clientKey.length()
                    + " characters (expected: 1-100)", "idempotencyKey");
        }
        Invoice invoice = repository.lock(invoiceId).orElseThrow(DefaultBillingService::notFound);
        // Scoped to the invoice, so a key reused on another invoice is a different refund.
        String key = "invoice:" + invoice.id() + ":" + kind.value() + ":"
                + (clientKey == null ? UUID.randomUUID().toString() : clientKey);
        Optional<CreditNote> earlierSame = creditNotes.byKey(key);
        if (earlierSame.isPresent()) {
            if (earlierSame.get().amountCents() != amountCents) {
                throw new BillingException(Reason.IDEMPOTENCY_CONFLICT, "idempotencyKey: already used for "
                        + earlierSame.get().number() + " of " + earlierSame.get().amountCents() + " cents", "idempotencyKey");
            }
            return earlierSame.get(); // a retry: the money moved once
        }
        if (invoice.status() != InvoiceStatus.PAID) {
            throw new BillingException(Reason.INVOICE_NOT_PAID, "invoice " + invoice.number() + " is "
                    + invoice.status().value() + "; only a paid invoice can be " + (kind == CreditNoteKind.REFUND
                            ? "refunded" : "charged back"), null);
        }
        long left = invoice.totalCents() - invoice.refundedCents();
        if (amountCents > left) {
            throw new BillingException(Reason.REFUND_EXCEEDS_PAID, "amountCents: " + amountCents
                    + " is more than the " + left + " cents left of invoice " + invoice.number() + " (total "
                    + invoice.totalCents() + ", already refunded " + invoice.refundedCents() + ")", "amountCents");
        }
        List<CreditNote> earlier = creditNotes.inForce(invoice.id());
        long refundedBefore = invoice.refundedCents();
        long taxBefore = earlier.stream().mapToLong(CreditNote::taxCents).sum();
        long taxAfter = share(invoice.taxCents(), refundedBefore + amountCents, invoice.totalCents());
        long tax = taxAfter - taxBefore;
        long net = amountCents - tax;
        long netBefore = refundedBefore - taxBefore;
        BigDecimal netUsd = BigDecimal.valueOf(net, 2);
        UUID actor = adminId != null ? adminId : invoice.userId();
        Instant now = clock.instant();
        int year = now.atZone(ZoneOffset.UTC).getYear();

        BigDecimal creditsBack = null;
        BigDecimal gbBack = null;
        BigDecimal gbToTake = BigDecimal.ZERO;
        String number;
        UUID txId;
        if (invoice.packageKind() == PackageKind.WALLET) {
            // A campaign wallet top-up (no VAT): the campaigns feature takes the share back from the wallet on its
            // own EUR accounts, spent money as a loss for a chargeback (docs/campaigns.md#refunds-and-chargebacks).
            number = String.format("CN-%d-%06d", year, creditNotes.nextNumber(year));
            txId = walletTopUps.getObject().reverse(invoice, amountCents, key, kind == CreditNoteKind.CHARGEBACK,
                    (kind == CreditNoteKind.REFUND ? "Refund " : "Chargeback ") + number + " of invoice " + invoice.number());
        } else {
            List<Posting> postings = new ArrayList<>();
            postings.add(new Posting(ledger.platformAccount(AccountPurpose.CUSTOMER_PAYMENTS).id(),
                    BigDecimal.valueOf(amountCents, 2)));
            if (tax > 0) {
                postings.add(new Posting(ledger.platformAccount(AccountPurpose.VAT_PAYABLE).id(),
                        BigDecimal.valueOf(tax, 2).negate()));
            }
            BigDecimal lost = BigDecimal.ZERO;
            if (invoice.packageKind() == PackageKind.CREDITS) {
                BigDecimal credits = Objects.requireNonNull(invoice.credits());
                BigDecimal before = earlier.stream().map(CreditNote::credits).filter(Objects::nonNull)
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
                creditsBack = proportion(credits, netBefore + net, invoice.subtotalCents(), 6).subtract(before);
                if (creditsBack.compareTo(netUsd) < 0) {
                    creditsBack = netUsd; // the bonus part cannot be negative, whatever the rounding
                }
                BigDecimal unspent = ledger.account(invoice.userId(), AccountPurpose.CUSTOMER_CREDITS).balance();
                BigDecimal taken = creditsBack;
                if (unspent.compareTo(creditsBack) < 0) {
                    if (kind == CreditNoteKind.REFUND) {
                        long maxNet = unspent.multiply(BigDecimal.valueOf(invoice.subtotalCents()))
                                .divide(credits, 0, RoundingMode.FLOOR).longValueExact();
                        long maxGross = BigDecimal.valueOf(maxNet).multiply(BigDecimal.valueOf(invoice.totalCents()))
                                .divide(BigDecimal.valueOf(invoice.subtotalCents()), 0, RoundingMode.FLOOR).longValueExact();
                        throw new BillingException(Reason.REFUND_EXCEEDS_UNSPENT, "the customer has spent part of the "
                                + "credits of invoice " + invoice.number() + ": refunding " + amountCents + " cents takes back "
                                + creditsBack.toPlainString() + " credits, but only " + unspent.toPlainString()
                                + " are unspent; refund at most about " + Math.min(maxGross, left) + " cents", "amountCents");
                    }
                    taken = unspent.max(BigDecimal.ZERO);
                    lost = creditsBack.subtract(taken);
                }
                if (taken.signum() > 0) {
                    postings.add(new Posting(ledger.account(invoice.userId(), AccountPurpose.CUSTOMER_CREDITS).id(),
                            taken.negate()));
                }
                if (lost.signum() > 0) {
                    postings.add(new Posting(ledger.platformAccount(AccountPurpose.CHARGEBACK_LOSSES).id(), lost.negate()));
                }
                BigDecimal bonus = creditsBack.subtract(netUsd);
                if (bonus.signum() > 0) {
                    postings.add(new Posting(ledger.platformAccount(AccountPurpose.CREDIT_BONUSES).id(), bonus));
                }
            } else if (invoice.packageKind().billed()) {
                if (net > 0) {
                    postings.add(new Posting(ledger.platformAccount(BilledInvoices.salesAccount(invoice.packageKind())).id(),
                            netUsd.negate()));
                }
            } else if (invoice.packageKind() == PackageKind.POOL) {
                if (net > 0) {
                    postings.add(new Posting(ledger.platformAccount(AccountPurpose.POOL_PLAN_SALES).id(), netUsd.negate()));
                }
            } else {
                BigDecimal gb = Objects.requireNonNull(invoice.gb());
                BigDecimal before = earlier.stream().map(CreditNote::gb).filter(Objects::nonNull)
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
                gbBack = proportion(gb, netBefore + net, invoice.subtotalCents(), 6).subtract(before);
                Subscription sub = activeSubscription(invoice.userId());
                BigDecimal unspent = sub == null ? BigDecimal.ZERO : sub.gbBalance();
                gbToTake = gbBack;
                if (unspent.compareTo(gbBack) < 0) {
                    if (kind == CreditNoteKind.REFUND) {
                        throw new BillingException(Reason.REFUND_EXCEEDS_UNSPENT, "the customer has used part of the GB "
                                + "of invoice " + invoice.number() + ": refunding " + amountCents + " cents takes back "
                                + gbBack.toPlainString() + " GB, but the plan balance is " + unspent.toPlainString()
                                + " GB" + (sub == null ? " (no active plan)" : ""), "amountCents");
                    }
                    gbToTake = unspent;
                }
                if (net > 0) {
                    postings.add(new Posting(ledger.platformAccount(AccountPurpose.GB_PACKAGE_SALES).id(), netUsd.negate()));
                }
            }
            number = String.format("CN-%d-%06d", year, creditNotes.nextNumber(year));
            Map<String, String> meta = new java.util.HashMap<>(Map.of("invoiceId", invoice.id().toString(),
                    "invoiceNumber", invoice.number(), "creditNote", number, "reason", why));
            if (lost.signum() > 0) {
                meta.put("lostCredits", lost.toPlainString());
            }
            txId = ledger.post(new NewTransaction(kind == CreditNoteKind.REFUND
                    ? TransactionKind.CUSTOMER_REFUND : TransactionKind.CUSTOMER_CHARGEBACK, key,
                    (kind == CreditNoteKind.REFUND ? "Refund " : "Chargeback ") + number + " of invoice " + invoice.number(),
                    postings, invoice.ledgerTransactionId(), adminId, meta)).id();
        }
        if (gbToTake.signum() > 0) {
            plans.addBalance(actor, invoice.userId(), gbToTake.negate(), "Credit note " + number + " of invoice "
                    + invoice.number());
        }
        CreditNote note = new CreditNote(UUID.randomUUID(), number, invoice.id(), invoice.number(), invoice.userId(), kind,
                invoice.currency(), amountCents, net, tax, creditsBack, gbBack, why, key, txId, adminId, now);
        creditNotes.insert(note, pdfs.renderCreditNote(note, invoice));
        if (gbToTake.signum() > 0) {
            creditNotes.setGbTaken(note.id(), gbToTake); // what a won dispute gives back (docs/billing.md#disputes)
        }
        repository.addRefunded(invoice.id(), amountCents);
        if (invoice.packageKind() == PackageKind.POOL && invoice.refundedCents() + amountCents >= invoice.totalCents()) {
            // Fully refunded or charged back: the access it paid for goes; a partial refund keeps it.
            poolSales.getObject().revoke(invoice, (kind == CreditNoteKind.REFUND ? "refund " : "chargeback ") + number);
        }
        audit.record(new AuditEvent(actor, kind == CreditNoteKind.REFUND ? AuditAction.INVOICE_REFUNDED
                : AuditAction.INVOICE_CHARGED_BACK, "invoice", invoice.id().toString(),
                Map.of("owner", invoice.userId().toString(), "number", invoice.number(), "creditNote", number,
                        "amountCents", Long.toString(amountCents), "reason", why, "transactionId", txId.toString())));
        return creditNotes.find(note.id()).orElseThrow();
    }

    /** {@code round(whole × part / total)}, half up, in cents. */
    private static long share(long whole, long part, long total) {
        return BigDecimal.valueOf(whole).multiply(BigDecimal.valueOf(part))
                .divide(BigDecimal.valueOf(total), 0, RoundingMode.HALF_UP).longValueExact();
    }

    /** {@code whole × part / total} rounded half up to {@code scale} decimals. */
    private static BigDecimal proportion(BigDecimal whole, long part, long total, int scale) {
        return whole.multiply(BigDecimal.valueOf(part)).divide(BigDecimal.valueOf(total), scale, RoundingMode.HALF_UP);
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
    public List<CreditNote> invoiceCreditNotes(UUID invoiceId) {
        return creditNotes.byInvoice(invoiceId);
    }

    @Override
    @Transactional(readOnly = true)
    public CreditBalance credits(UUID userId) {
        return featureSessions.overview(userId);
    }

    @Override
    @Transactional(readOnly = true)
    public List<CreditNote> creditNotes(UUID userId, int limit) {
        return creditNotes.byUser(userId, checkLimit(limit, 200));
    }

    @Override
    @Transactional(readOnly = true)
    public List<FeatureSession> featureSessions(UUID userId, int limit) {
        return featureSessions.sessions(userId, checkLimit(limit, 200));
    }

    @Override
    @Transactional(readOnly = true)
    public byte[] creditNotePdf(UUID userId, UUID creditNoteId) {
        return creditNotes.pdf(userId, creditNoteId).orElseThrow(() -> new BillingException(
                Reason.CREDIT_NOTE_NOT_FOUND, "no such credit note", null));
    }

    @Override
    @Transactional(readOnly = true)
    public CreditNotePdf adminCreditNotePdf(UUID creditNoteId) {
        CreditNote note = creditNotes.find(creditNoteId).orElseThrow(() -> new BillingException(
                Reason.CREDIT_NOTE_NOT_FOUND, "no such credit note", null));
        return new CreditNotePdf(note, creditNotes.pdf(note.userId(), note.id()).orElseThrow());
    }

    private static @Nullable String blankToNull(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    @Override
    @Transactional(readOnly = true)
    public AutoTopUpSettings autoTopUp(UUID userId) {
        return creditSettings.autoTopUp(userId);
    }

    @Override
    @Transactional
    public AutoTopUpSettings updateAutoTopUp(UUID userId, AutoTopUpSettings settings) {
        BigDecimal threshold = settings.thresholdUsd();
        if (threshold != null && (threshold.signum() <= 0 || threshold.compareTo(MAX_SETTING_USD) > 0
                || threshold.scale() > 2)) {
            throw invalid("thresholdUsd", "thresholdUsd: " + threshold.toPlainString()
                    + " (expected: USD 0.01-10000, 2 decimals at most)");
        }
        if (settings.enabled() && threshold == null) {
            throw invalid("thresholdUsd", "thresholdUsd: missing (expected: the balance in USD under which to top up)");
        }
        String packageId = blankToNull(settings.packageId());
        List<String> credits = packages().stream().filter(p -> p.kind() == PackageKind.CREDITS)
                .map(BillingPackage::id).toList();
        if ((settings.enabled() || packageId != null) && (packageId == null || !credits.contains(packageId))) {
            throw invalid("packageId", "packageId: " + (packageId == null ? "missing" : "'" + abbreviate(packageId)
                    + "' is not a credit package") + " (expected one of " + credits + ")");
        }
        int max = settings.maxPerMonth();
        if (max < 1 || max > 31) {
            throw invalid("maxPerMonth", "maxPerMonth: " + max + " (expected: 1-31)");
        }
        creditSettings.saveAutoTopUp(userId, new AutoTopUpSettings(settings.enabled(), threshold, packageId, max));
        return creditSettings.autoTopUp(userId);
    }

    @Override
    @Transactional(readOnly = true)
    public CreditAlertSettings creditAlerts(UUID userId) {
        return creditSettings.alerts(userId);
    }

    @Override
    @Transactional
    public CreditAlertSettings updateCreditAlerts(UUID userId, CreditAlertSettings settings) {
        BigDecimal low = settings.lowBalanceUsd();
        if (low != null && (low.signum() <= 0 || low.compareTo(MAX_SETTING_USD) > 0 || low.scale() > 2)) {
            throw invalid("lowBalanceUsd", "lowBalanceUsd: " + low.toPlainString()
                    + " (expected: USD 0.01-10000, 2 decimals at most, or null for no alert)");
        }
        creditSettings.saveAlerts(userId, settings);
        return creditSettings.alerts(userId);
    }

    /** Where the net price of a paid package goes on the ledger. */
    static AccountPurpose salesAccount(PackageKind kind) {
        return kind == PackageKind.POOL ? AccountPurpose.POOL_PLAN_SALES : AccountPurpose.GB_PACKAGE_SALES;
    }

    private static BillingException invalid(String field, String message) {
        return new BillingException(Reason.VALIDATION, message, field);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    static Invoice withStatus(Invoice i, InvoiceStatus status, @Nullable String reference,
            @Nullable UUID transactionId, @Nullable Instant paidAt, @Nullable Instant voidedAt) {
        return new Invoice(i.id(), i.number(), i.userId(), status, i.provider(), i.packageKind(), i.packageId(),
                i.credits(), i.gb(), i.currency(), i.subtotalCents(), i.taxCents(), i.totalCents(), i.lines(),
                i.buyerName(), i.buyerEmail(), reference, transactionId, i.createdAt(), paidAt, voidedAt, null,
                i.buyerCountry(), i.buyerVatId(), i.buyerAddress(), i.taxRatePercent(), i.taxNote(), i.refundedCents());
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
}
