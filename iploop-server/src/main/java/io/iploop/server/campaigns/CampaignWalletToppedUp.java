package io.iploop.server.campaigns;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * Money landed in a customer's EUR campaign wallet (docs/campaigns.md#funding): published once per
 * new top-up (never for a replayed idempotency key), synchronously inside the database transaction
 * of the credit, so a listener's own postings (an affiliate commission) commit or roll back with it.
 * Immutable.
 *
 * @param userId the wallet's owner
 * @param transactionId the {@code CAMPAIGN_TOP_UP} ledger transaction
 * @param amount EUR, more than 0
 * @param idempotencyKey the credit's key (e.g. {@code campaign-topup:payment_provider:<event id>}), unique per top-up
 */
public record CampaignWalletToppedUp(UUID userId, UUID transactionId, BigDecimal amount, String idempotencyKey) {}
