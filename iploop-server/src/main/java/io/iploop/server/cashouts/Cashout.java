package io.iploop.server.cashouts;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A cash-out as shown to its owner and to admins; payment details only masked. Immutable.
 *
 * @param amountCredits whole earn credits reserved and paid out (1 credit = USD 0.001)
 * @param amountUsd gross amount, {@code amountCredits / 1000}, in {@code currency}
 * @param feeUsd the method's fee; {@code netAmountUsd = amountUsd - feeUsd} is what is sent
 * @param paymentDetails masked, e.g. {@code o***@example.com}, {@code TQn9…4Ld2}, {@code DE89 …3000}
 * @param requiresReview true when an admin must approve it (a user's first cash-outs)
 * @param auto true when the daily auto-cash-out created it
 * @param provider {@code paypal} or {@code manual} once processing, else null
 * @param payoutAttempts failed provider attempts so far; {@code nextAttemptAt} is the next try
 * @param transactionId PayPal or blockchain transaction id once completed
 * @param source the balance it pays out; for {@link CashoutSource#AFFILIATE} the amounts
 *     ({@code amountUsd}, {@code feeUsd}, {@code netAmountUsd}) are in {@code currency} EUR and
 *     {@code amountCredits} is the amount in cents (docs/affiliates.md#payouts)
 */
public record Cashout(UUID id, UUID userId, CashoutMethod method, CashoutStatus status, long amountCredits,
        BigDecimal amountUsd, BigDecimal feeUsd, BigDecimal netAmountUsd, String currency, String paymentDetails,
        boolean requiresReview, boolean auto, @Nullable String adminNotes, @Nullable String provider,
        int payoutAttempts, @Nullable Instant nextAttemptAt, @Nullable String lastError,
        @Nullable String transactionId, Instant createdAt, Instant updatedAt, @Nullable Instant confirmedAt,
        @Nullable Instant reviewedAt, @Nullable Instant completedAt, CashoutSource source) {

    /** The amount as people read it: {@code "1500 credits (USD 1.50)"} or {@code "EUR 12.40"}. */
    public String amountText() {
        return source == CashoutSource.EARN ? amountCredits + " credits (USD " + amountUsd.toPlainString() + ")"
                : currency + " " + amountUsd.toPlainString();
    }
}
