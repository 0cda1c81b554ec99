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

    /**
     * Whether card payments through Stripe are configured (docs/billing.md#stripe); the page then
     * offers "Pay by card" beside the bank transfer.
     */
    boolean cardPayments();

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

    /** The user's billing details (docs/billing.md#vat), empty until saved. */
    java.util.Optional<BillingDetails> billingDetails(UUID userId);

    /**
     * Saves the user's billing details, used for the VAT of invoices created from now on; issued
     * invoices keep the details they were created with. The country is upper-cased; the VAT id is
     * normalised (upper case, without spaces, dots and dashes) and must match the country's format
     * with its prefix (EL for Greece); blank optional fields are stored as null. Audited.
     *
     * @throws BillingException {@code VALIDATION} naming the field ({@code country}, {@code vatId},
     *     {@code company} at most 200 characters, {@code address} at most 500)
     */
    BillingDetails updateBillingDetails(UUID userId, BillingDetails details);

    /**
     * Refunds {@code amountCents} (tax included) of a paid invoice (docs/billing.md#refunds): a
     * numbered credit note with its PDF and one balanced ledger transaction of kind
     * {@code CUSTOMER_REFUND} that returns the money and takes back the matching share of the credits
     * (with their bonus) or GB, in one database transaction with the invoice row locked; audited.
     * Tax is refunded in proportion. A retry with the same {@code idempotencyKey} returns the first
     * credit note and moves nothing.
     *
     * @param amountCents &gt; 0, at most what is left of the invoice after earlier refunds
     * @param reason why, 3-500 characters
     * @param idempotencyKey 1-100 characters, or null to refund unconditionally
     * @throws BillingException {@code VALIDATION} naming the field; {@code INVOICE_NOT_FOUND};
     *     {@code INVOICE_NOT_PAID}; {@code REFUND_EXCEEDS_PAID}; {@code REFUND_EXCEEDS_UNSPENT} when
     *     the customer spent what it would take back (never drives the credits negative);
     *     {@code IDEMPOTENCY_CONFLICT} when the key was used for another refund
     */
    CreditNote refund(UUID adminId, UUID invoiceId, long amountCents, String reason, @Nullable String idempotencyKey);

    /**
     * Records that the payment of a paid invoice was reversed by the customer's bank or card issuer
     * (for payment providers such as Stripe; docs/billing.md#refunds). Like {@link #refund} with kind
     * {@code CHARGEBACK}, except that it is never refused for spent credits or GB: the money is gone
     * either way, so what is still unspent is taken back and the rest is booked to
     * {@code CHARGEBACK_LOSSES}. Audited; idempotent by {@code idempotencyKey} (use the provider's
     * dispute id), so a replayed webhook records it once.
     *
     * @param amountCents &gt; 0, at most what is left of the invoice after earlier refunds
     * @param idempotencyKey 1-100 characters
     * @throws BillingException {@code VALIDATION}; {@code INVOICE_NOT_FOUND}; {@code INVOICE_NOT_PAID};
     *     {@code REFUND_EXCEEDS_PAID}; {@code IDEMPOTENCY_CONFLICT}
     */
    CreditNote recordChargeback(UUID invoiceId, long amountCents, String reason, String idempotencyKey);

    /** The credit notes against one invoice of any user, oldest first (admin view). */
    List<CreditNote> invoiceCreditNotes(UUID invoiceId);

    /** The user's credit notes, newest first, at most {@code limit} (1-200). */
    List<CreditNote> creditNotes(UUID userId, int limit);

    /** The PDF of one of the user's credit notes. @throws BillingException {@code CREDIT_NOTE_NOT_FOUND} */
    byte[] creditNotePdf(UUID userId, UUID creditNoteId);

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

    /**
     * Replaces the user's auto top-up (docs/billing.md#auto-top-up); the REST API and the billing page
     * both save through here, so they apply the same rules.
     *
     * @param settings {@code thresholdUsd} USD 0.01-10000 with at most 2 decimals, required when enabled;
     *     {@code packageId} a credit package, required when enabled; {@code maxPerMonth} 1-31
     * @return the settings as stored
     * @throws BillingException {@code VALIDATION} naming the field ({@code thresholdUsd}, {@code packageId},
     *     {@code maxPerMonth})
     */
    AutoTopUpSettings updateAutoTopUp(UUID userId, AutoTopUpSettings settings);

    /** The user's low-balance alert of the prepaid credits (docs/billing.md#low-balance-alerts); none when never saved. */
    CreditAlertSettings creditAlerts(UUID userId);

    /**
     * Replaces the user's low-balance alert (docs/billing.md#low-balance-alerts).
     *
     * @param settings {@code lowBalanceUsd} USD 0.01-10000 with at most 2 decimals, or null for no alert
     * @return the settings as stored
     * @throws BillingException {@code VALIDATION} with field {@code lowBalanceUsd}
     */
    CreditAlertSettings updateCreditAlerts(UUID userId, CreditAlertSettings settings);

    /**
     * Any customer's credit note with its PDF, for admins (docs/billing.md#refunds-and-chargebacks).
     *
     * @throws BillingException {@code CREDIT_NOTE_NOT_FOUND}
     */
    CreditNotePdf adminCreditNotePdf(UUID creditNoteId);

    /**
     * Creates an {@code open} invoice of the manual provider for a prepaid wallet top-up
     * (docs/campaigns.md#wallet-invoices): one line of {@code amountCents}, no VAT (a prepayment; see
     * the tax note), the next invoice number of the year. Marking it paid funds the wallet through
     * {@link WalletTopUps}. Audited as {@code invoice_requested}.
     *
     * @param currency {@code EUR} (the only wallet currency)
     * @param amountCents 100 (EUR 1) to 1,000,000,000 (EUR 10,000,000)
     * @param description the invoice line, 1-200 characters
     * @throws BillingException {@code VALIDATION} naming {@code currency}, {@code amount} or
     *     {@code description}, or {@code userId} for an unknown account
     */
    Invoice requestWalletTopUp(UUID userId, String currency, long amountCents, String description);

    /** A credit note and its immutable PDF bytes. */
    record CreditNotePdf(CreditNote creditNote, byte[] pdf) {}
}
