package io.iploop.server.billing;

import io.iploop.server.platform.ApiException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** Errors of the billing feature; {@link Reason} maps each to its code and HTTP status. */
public final class BillingException extends ApiException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public BillingException(Reason reason, String message, @Nullable String field) {
        super(reason.code, reason.status, message, field);
        this.reason = reason;
    }

    /** Why the request was refused. */
    public Reason reason() {
        return reason;
    }

    /** Error codes of the billing feature. */
    public enum Reason {
        /** A request value is missing or wrong; the field names it. */
        VALIDATION("validation_failed", HttpStatus.BAD_REQUEST),
        /** No such invoice, or not the caller's. */
        INVOICE_NOT_FOUND("invoice_not_found", HttpStatus.NOT_FOUND),
        /** The invoice is not open (paid or void) for what was asked. */
        INVOICE_NOT_OPEN("invoice_not_open", HttpStatus.CONFLICT),
        /** A GB package needs an active plan to add its GB to. */
        NO_SUBSCRIPTION("no_subscription", HttpStatus.CONFLICT),
        /** Only a paid invoice can be refunded or charged back. */
        INVOICE_NOT_PAID("invoice_not_paid", HttpStatus.CONFLICT),
        /** The amount is more than what is left of the invoice after earlier refunds. */
        REFUND_EXCEEDS_PAID("refund_exceeds_paid", HttpStatus.CONFLICT),
        /**
         * The customer already spent (part of) what the refund would take back: only unspent
         * credits or GB are refunded (docs/billing.md#refunds).
         */
        REFUND_EXCEEDS_UNSPENT("refund_exceeds_unspent", HttpStatus.CONFLICT),
        /** The idempotency key was used before for a different refund or chargeback. */
        IDEMPOTENCY_CONFLICT("idempotency_key_conflict", HttpStatus.CONFLICT),
        /** No such credit note, or not the caller's. */
        CREDIT_NOTE_NOT_FOUND("credit_note_not_found", HttpStatus.NOT_FOUND),
        /** Card payments are not configured on this installation (no Stripe keys). */
        STRIPE_NOT_CONFIGURED("stripe_not_configured", HttpStatus.NOT_FOUND),
        /** A Stripe webhook whose {@code Stripe-Signature} does not verify (or is too old). */
        INVALID_SIGNATURE("invalid_signature", HttpStatus.BAD_REQUEST),
        /** The account already has a Stripe subscription that is not ended; change it in the portal. */
        SUBSCRIPTION_EXISTS("subscription_exists", HttpStatus.CONFLICT),
        /** The account has no Stripe customer yet (it never paid by card). */
        NO_STRIPE_CUSTOMER("no_stripe_customer", HttpStatus.CONFLICT),
        /** Stripe could not be reached or refused the request; try again. */
        PROVIDER_UNAVAILABLE("payment_provider_unavailable", HttpStatus.BAD_GATEWAY),
        /** Saved payment methods need Stripe; this installation takes bank transfers (manual provider). */
        PAYMENT_METHODS_UNAVAILABLE("payment_methods_unavailable", HttpStatus.CONFLICT),
        /** No such saved payment method, or not the caller's. */
        PAYMENT_METHOD_NOT_FOUND("payment_method_not_found", HttpStatus.NOT_FOUND),
        /**
         * The card is the one an active auto top-up or card subscription is charged to; another card
         * has to be made the default first (docs/billing.md#payment-methods).
         */
        PAYMENT_METHOD_IN_USE("payment_method_in_use", HttpStatus.CONFLICT);

        final String code;
        final HttpStatus status;

        Reason(String code, HttpStatus status) {
            this.code = code;
            this.status = status;
        }
    }
}
