package io.iploop.server.campaigns;

import java.math.BigDecimal;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of {@link CampaignWalletService#spend}.
 *
 * @param charged true if the wallet was charged (now or by an earlier call with the same key)
 * @param amount the EUR price of the visits
 * @param balance the wallet's balance after the attempt
 * @param transactionId the ledger transaction, or null when not charged
 * @param replayed true when an earlier spend with the same idempotency key was found and nothing moved
 */
public record WalletSpend(boolean charged, BigDecimal amount, BigDecimal balance, @Nullable UUID transactionId,
        boolean replayed) {}
