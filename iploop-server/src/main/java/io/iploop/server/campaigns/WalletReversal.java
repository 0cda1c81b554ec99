package io.iploop.server.campaigns;

import java.math.BigDecimal;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A refund or chargeback of a campaign wallet top-up as posted (docs/campaigns.md#refunds-and-chargebacks).
 * Immutable.
 *
 * @param transactionId the {@code CAMPAIGN_TOP_UP_REVERSAL} transaction, null when nothing was left to take back
 * @param userId the wallet's owner
 * @param amount EUR taken back ({@code taken + lost}); 0 when nothing was left of the top-up
 * @param taken EUR that came out of the wallet
 * @param lost EUR the customer had already spent, booked to {@code CAMPAIGN_CHARGEBACK_LOSSES}
 * @param balance the wallet's balance after it
 * @param replayed true when the reversal key was used before and nothing moved
 */
public record WalletReversal(@Nullable UUID transactionId, UUID userId, BigDecimal amount, BigDecimal taken,
        BigDecimal lost, BigDecimal balance, boolean replayed) {}
