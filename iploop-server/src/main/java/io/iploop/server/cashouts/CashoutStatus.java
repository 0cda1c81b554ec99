package io.iploop.server.cashouts;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a cash-out stands (docs/product/cashouts.md plus the states the flow needs around it). Which status
 * may follow which is declared in {@link CashoutStateMachine} and nowhere else.
 */
public enum CashoutStatus {
    /** Requested; the e-mailed code has not been entered yet. Nothing is reserved. */
    AWAITING_CONFIRMATION,
    /** Confirmed; the credits are reserved; waiting for admin review (or auto-approval). */
    PENDING,
    /** Approved; the payout job hands it to its provider on its next run. */
    APPROVED,
    /** With a payout provider (sent, being retried, or waiting for an admin to pay it manually). */
    PROCESSING,
    /** Paid; the reserved credits left the platform. Final. */
    COMPLETED,
    /** Refused by an admin; the credits are back in the earnings. Final. */
    REJECTED,
    /** Withdrawn by the user; the credits, if reserved, are back. Final. */
    CANCELLED,
    /** Never confirmed: the code expired or too many wrong codes. Nothing was reserved. Final. */
    EXPIRED,
    /** The provider refused the payout for good (e.g. PayPal DENIED); the credits are back. Final. */
    FAILED,
    /**
     * Nobody knows whether the provider paid (timeouts or 5xx past the retry limit, PayPal 404 on a
     * batch it had accepted): the credits stay reserved until an admin resolves it to completed or
     * failed (see {@code docs/earn-fraud.md}). Never left on its own.
     */
    PAYOUT_UNKNOWN;

    /** The value stored and shown in the API, e.g. {@code awaiting_confirmation}. */
    @JsonValue
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status for a stored or query value. @throws IllegalArgumentException when unknown */
    public static CashoutStatus fromDb(String value) {
        return valueOf(value.strip().toUpperCase(Locale.ROOT));
    }
}
