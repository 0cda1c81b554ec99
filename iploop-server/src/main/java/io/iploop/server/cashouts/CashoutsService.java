package io.iploop.server.cashouts;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The cash-outs feature's public API (docs/product/cashouts.md). Every user-facing method takes the caller's
 * id and treats another user's objects as not found. Thread-safe.
 */
public interface CashoutsService {

    /** Every configured method with its limits, fees and whether it is offered now. */
    List<MethodConfig> methods();

    /**
     * Validates a request (method active, amount at least the minimum and at most the available
     * earnings, payment details valid for the method), stores it as {@code awaiting_confirmation} and
     * e-mails a 6-digit confirmation code. Nothing is reserved yet: an unconfirmed request must not
     * lock a balance, and a validation error leaves no trace.
     *
     * @throws CashoutsException {@code VALIDATION}, {@code METHOD_UNAVAILABLE}, {@code BELOW_MINIMUM},
     *     {@code INSUFFICIENT_BALANCE}, {@code INVALID_PAYMENT_DETAILS} (all 400, naming the field),
     *     {@code PAYMENT_METHOD_NOT_FOUND}
     */
    Cashout request(UUID userId, NewCashout request);

    /**
     * Requests a payout of the caller's available campaign affiliate commission
     * (docs/affiliates.md#payouts), EUR, through the same machinery as {@link #request}: method active,
     * payment details valid (given or a saved method), an e-mailed confirmation code, reservation on
     * confirmation, admin review, manual or PayPal payout. No method fee and no method minimum: the
     * caller (the affiliates feature) applies the programme's own minimum first. Stored with
     * {@link CashoutSource#AFFILIATE} and currency EUR.
     *
     * @param amountEur more than 0 with at most 2 decimals, at most the available commission
     * @throws CashoutsException {@code VALIDATION} (fields {@code method}, {@code amount},
     *     {@code paymentDetails}), {@code METHOD_UNAVAILABLE}, {@code INSUFFICIENT_BALANCE} (field
     *     {@code amount}), {@code INVALID_PAYMENT_DETAILS}, {@code PAYMENT_METHOD_NOT_FOUND}
     */
    Cashout requestAffiliatePayout(UUID userId, String method, @Nullable BigDecimal amountEur,
            @Nullable Map<String, String> paymentDetails, @Nullable UUID savedPaymentMethodId);

    /**
     * Checks the e-mailed code (single use, expires, limited attempts) and moves the cash-out to
     * {@code pending}, reserving its credits in the same database transaction; when the user has
     * enough completed cash-outs for the method's {@code auto_approve_after}, it is approved at once.
     *
     * @throws CashoutsException {@code INVALID_CODE}, {@code CODE_EXPIRED}, {@code INSUFFICIENT_FUNDS}
     *     (the earnings no longer cover it; nothing reserved), {@code INVALID_TRANSITION}, {@code NOT_FOUND}
     */
    Cashout confirm(UUID userId, UUID cashoutId, String code);

    /**
     * Cancels the caller's cash-out while it awaits confirmation or is pending, releasing reserved credits.
     *
     * @throws CashoutsException {@code INVALID_TRANSITION} once approved or later, {@code NOT_FOUND}
     */
    Cashout cancel(UUID userId, UUID cashoutId);

    /** @throws CashoutsException {@code NOT_FOUND} also for another user's cash-out */
    Cashout get(UUID userId, UUID cashoutId);

    /** The caller's cash-outs, newest first. @throws CashoutsException {@code VALIDATION} for page &lt; 1 or limit outside 1-100 */
    CashoutPage history(UUID userId, int page, int limit);

    /** Admin queue: cash-outs in {@code status} (all when null), oldest first, at most {@code limit} (1-500). */
    List<Cashout> queue(@Nullable CashoutStatus status, int limit);

    /** Admin: pending → approved (audited, mailed). @throws CashoutsException {@code INVALID_TRANSITION}, {@code NOT_FOUND} */
    Cashout approve(UUID adminId, UUID cashoutId, @Nullable String note);

    /** Admin: pending → rejected, credits released (audited, mailed). @throws CashoutsException as {@link #approve} */
    Cashout reject(UUID adminId, UUID cashoutId, @Nullable String note);

    /**
     * Admin: the full payment details of a cash-out paid by hand (every method but PayPal while the
     * PayPal Payouts client is configured), decrypted, so the admin knows where to send the money.
     * Each call writes one {@code cashout_details_viewed} audit entry (who, which cash-out; never
     * the details themselves), committed whatever the caller does next.
     *
     * @param adminTwoFactor whether the admin's session was signed in with a second factor
     * @throws CashoutsException {@code TWO_FACTOR_REQUIRED} (403) without it, {@code NOT_FOUND},
     *     {@code VALIDATION} for a cash-out the PayPal client pays (field {@code id})
     */
    CashoutPaymentDetails paymentDetails(UUID adminId, boolean adminTwoFactor, UUID cashoutId);

    /** True when an admin pays {@code cashout} by hand (its details can be shown), false when PayPal Payouts pays it. */
    boolean paidByHand(Cashout cashout);

    /**
     * Admin: marks a manually paid cash-out completed with the payment's reference (bank transfer
     * reference, blockchain transaction hash, gift-card order number; stored as the cash-out's
     * {@code transactionId}, shown to the operator and audited). An approved one passes through
     * processing first; the reserved credits move to PAYOUTS_PAID.
     *
     * @param paidReference 1-255 characters after trimming
     * @throws CashoutsException {@code VALIDATION} (blank reference, or a cash-out the PayPal
     *     provider pays), {@code INVALID_TRANSITION}, {@code NOT_FOUND}
     */
    Cashout complete(UUID adminId, UUID cashoutId, String paidReference);

    /**
     * Resolves a cash-out in {@code payout_unknown} after an admin checked the provider: paid moves
     * it to completed (the reserved credits leave the platform), not paid to failed (they come back).
     * One balanced ledger transaction with the cash-out's idempotency key; audited.
     *
     * @param transactionId the provider's transaction id, required (1-255 characters) when {@code paid}
     * @throws CashoutsException {@code NOT_FOUND}; {@code VALIDATION} (field {@code transactionId});
     *     {@code INVALID_TRANSITION} (409) when it is not payout_unknown
     */
    Cashout resolveUnknownPayout(UUID adminId, UUID cashoutId, boolean paid, @Nullable String transactionId,
            @Nullable String note);

    /** The caller's saved payment methods, masked. */
    List<SavedPaymentMethod> paymentMethods(UUID userId);

    /**
     * Saves a payment method (validated like a cash-out's details, encrypted at rest) and e-mails a
     * code to verify it. @throws CashoutsException {@code VALIDATION}, {@code INVALID_PAYMENT_DETAILS}
     */
    SavedPaymentMethod addPaymentMethod(UUID userId, NewPaymentMethod method);

    /** Marks a saved method verified. @throws CashoutsException {@code INVALID_CODE}, {@code CODE_EXPIRED}, {@code PAYMENT_METHOD_NOT_FOUND} */
    SavedPaymentMethod verifyPaymentMethod(UUID userId, UUID paymentMethodId, String code);

    /** Deletes a saved method; cash-outs in flight keep their own copy. @throws CashoutsException {@code PAYMENT_METHOD_NOT_FOUND} */
    void deletePaymentMethod(UUID userId, UUID paymentMethodId);

    /** The caller's auto-cash-out settings (disabled, USD 20 threshold when never set). */
    AutoCashoutSettings autoCashout(UUID userId);

    /**
     * Sets auto-cash-out. Enabling needs a saved, verified payment method of the caller and a
     * threshold at least that method's minimum.
     *
     * @throws CashoutsException {@code VALIDATION}, {@code BELOW_MINIMUM}, {@code PAYMENT_METHOD_NOT_FOUND},
     *     {@code PAYMENT_METHOD_UNVERIFIED}
     */
    AutoCashoutSettings configureAutoCashout(UUID userId, boolean enabled, java.math.BigDecimal thresholdUsd,
            @Nullable UUID paymentMethodId);
}
