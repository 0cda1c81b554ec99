package io.iploop.server.billing;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The billing feature's public API (docs/billing.md). Customer methods are scoped to the caller: an
 * invoice of another user is {@code INVOICE_NOT_FOUND}. Admin methods take the acting admin's id
 * and audit the change; the caller checks the admin role and second factor. Thread-safe.
 */
public interface BillingService {

    /** The packages on sale, credit packages first, in display order. */
    List<BillingPackage> packages();

    /** Payment instructions of the manual provider (the configured bank details). */
    PaymentInstructions paymentInstructions();

    /** The user's prepaid credits in USD (1 credit = USD 1), 0 when none were ever bought. */
    BigDecimal creditBalance(UUID userId);

    /**
     * Creates an {@code open} invoice for one package with the next invoice number of the year.
     * Nothing is credited until an admin marks it paid. Audited.
     *
     * @throws BillingException {@code VALIDATION} (field {@code packageId}) for an unknown package;
     *     {@code NO_SUBSCRIPTION} for a GB package without an active plan
     */
    Invoice requestTopUp(UUID userId, String packageId);

    /** The user's invoices, newest first, at most {@code limit} (1-200). */
    List<Invoice> invoices(UUID userId, int limit);

    /** One of the user's invoices. @throws BillingException {@code INVOICE_NOT_FOUND} */
    Invoice invoice(UUID userId, UUID invoiceId);

    /** The stored PDF of one of the user's invoices. @throws BillingException {@code INVOICE_NOT_FOUND} */
    byte[] pdf(UUID userId, UUID invoiceId);

    /**
     * Invoices of every user, oldest first (the admin's queue), in {@code status} or any when null,
     * at most {@code limit} (1-500).
     */
    List<Invoice> adminInvoices(@Nullable InvoiceStatus status, int limit);

    /**
     * Marks an open invoice paid: one ledger transaction with the idempotency key
     * {@code invoice:<id>:paid} moves the money and the bought credits, bought GB are added to the
     * plan balance, the PDF is re-rendered as paid, all in one database transaction; audited. An
     * invoice already paid is returned unchanged, so a retried or concurrent call moves money once.
     *
     * @param paymentReference the bank transfer's reference, 1-200 characters
     * @throws BillingException {@code VALIDATION} (field {@code paymentReference});
     *     {@code INVOICE_NOT_FOUND}; {@code INVOICE_NOT_OPEN} for a void invoice;
     *     {@code NO_SUBSCRIPTION} when a GB package's buyer has no active plan any more
     */
    Invoice markPaid(UUID adminId, UUID invoiceId, String paymentReference);

    /**
     * Voids an open invoice; nothing moves on the ledger. Audited.
     *
     * @param reason why, 3-500 characters
     * @throws BillingException {@code VALIDATION} (field {@code reason}); {@code INVOICE_NOT_FOUND};
     *     {@code INVOICE_NOT_OPEN} for a paid or void invoice
     */
    Invoice voidInvoice(UUID adminId, UUID invoiceId, String reason);

    /**
     * Requests a credit package (docs/billing.md#credits-api): exactly {@link #requestTopUp}, for
     * credit packages only.
     *
     * @throws BillingException {@code VALIDATION} (field {@code packageId}) for an unknown package
     *     or a GB package
     */
    Invoice requestCreditPurchase(UUID userId, String packageId);

    /**
     * The user's prepaid credits with the open time-based targeting session and what the balance
     * lasts at each rate (docs/billing.md#credits-api).
     */
    CreditBalance credits(UUID userId);

    /** The user's time-based targeting sessions, newest first, at most {@code limit} (1-200). */
    List<FeatureSession> featureSessions(UUID userId, int limit);

    /** The user's auto top-up of the prepaid credits (docs/billing.md#auto-top-up); off when never saved. */
    AutoTopUpSettings autoTopUp(UUID userId);
}
