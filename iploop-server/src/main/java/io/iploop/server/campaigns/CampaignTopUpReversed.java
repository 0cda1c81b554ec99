package io.iploop.server.campaigns;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * (Part of) a campaign wallet top-up was taken back because the payment provider refunded or charged
 * it back (docs/campaigns.md#refunds-and-chargebacks). Published once per new reversal (never for a
 * replayed key), synchronously inside its database transaction, so a listener's own postings (the
 * affiliate commission's reversal) commit or roll back with it. Immutable.
 *
 * @param userId the wallet's owner
 * @param topUpTransactionId the {@code CAMPAIGN_TOP_UP} transaction reversed (what
 *     {@link CampaignWalletToppedUp#transactionId()} named)
 * @param topUpAmount the whole top-up, EUR
 * @param reversedBefore EUR of this top-up reversed by earlier refunds or chargebacks
 * @param amount EUR reversed now, more than 0; {@code reversedBefore + amount <= topUpAmount}
 * @param transactionId the {@code CAMPAIGN_TOP_UP_REVERSAL} transaction
 */
public record CampaignTopUpReversed(UUID userId, UUID topUpTransactionId, BigDecimal topUpAmount,
        BigDecimal reversedBefore, BigDecimal amount, UUID transactionId) {}
