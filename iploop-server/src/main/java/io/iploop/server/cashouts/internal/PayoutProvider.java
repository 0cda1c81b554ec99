package io.iploop.server.cashouts.internal;

import io.iploop.server.cashouts.CashoutMethod;
import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Pays cash-outs out (docs/product/cashouts.md#payouts). The {@code cashout-payouts} job calls {@link #send} once per
 * attempt for a processing cash-out without a provider reference, then {@link #poll} until the
 * outcome is final. Implementations must be safe to call again with the same payout: the payout's
 * idempotency key makes the provider refuse a second payment. Thread-safe.
 */
interface PayoutProvider {

    /** Name of the PayPal Payouts provider, stored in {@code cashout_requests.provider}. */
    String PAYPAL = "paypal";
    /** Name of the manual provider: an admin pays and records the transaction id. */
    String MANUAL = "manual";

    /** Stable name stored with the cash-out. */
    String name();

    /** False for a provider whose payouts an admin completes by hand; the job then leaves them alone. */
    default boolean automatic() {
        return true;
    }

    /**
     * Sends the payout.
     *
     * @throws ProviderUnavailableException down, timed out, 5xx, 429: retry later with the same payout
     */
    Outcome send(Payout payout);

    /**
     * The payout's current outcome at the provider.
     *
     * @throws ProviderUnavailableException as for {@link #send}
     */
    Outcome poll(String reference);

    /**
     * One payout.
     *
     * @param idempotencyKey also the ledger key of the payout ({@code cashout:<id>:payout}); PayPal's
     *     {@code sender_batch_id}
     * @param netAmount what the recipient gets, in {@code currency}, 2 decimals
     * @param details decrypted payment details of the method
     */
    record Payout(UUID cashoutId, String idempotencyKey, CashoutMethod method, BigDecimal netAmount, String currency,
            Map<String, String> details) {}

    /**
     * What the provider says.
     *
     * @param reference the provider's id for the payout (PayPal payout_batch_id), once known
     * @param transactionId the payment's transaction id once paid
     * @param detail a human-readable reason for PENDING or FAILED
     */
    record Outcome(State state, @Nullable String reference, @Nullable String transactionId, @Nullable String detail) {}

    /**
     * Whether the payout is still under way, paid, refused for good, or unknown (the provider lost
     * a payout it had accepted: paid or not, only a person can find out).
     */
    enum State { PENDING, SUCCEEDED, FAILED, UNKNOWN }

    /** The provider could not be reached or answered with a retryable error. */
    final class ProviderUnavailableException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        ProviderUnavailableException(String message, @Nullable Throwable cause) {
            super(message, cause);
        }
    }
}
