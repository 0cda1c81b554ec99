package io.iploop.server.campaigns;

import java.math.BigDecimal;
import java.util.Map;
import java.util.UUID;

/**
 * The EUR campaign wallet of each customer on the ledger (docs/campaigns.md#wallet): account
 * {@code CAMPAIGN_WALLET}, funded from {@code CAMPAIGN_PAYMENTS} and spent to {@code CAMPAIGN_REVENUE},
 * one balanced ledger transaction per event with an idempotency key, never negative. EUR only: never
 * mixed with the USD balances. Thread-safe.
 */
public interface CampaignWalletService {

    /** The wallet's balance in EUR (0 when it was never funded). */
    BigDecimal balance(UUID userId);

    /**
     * Pays EUR into the wallet (a payment-provider webhook, an admin-marked-paid invoice). Joins the
     * caller's transaction when there is one, so the caller's own change and the credit commit together.
     * A new (not replayed) top-up publishes {@link CampaignWalletToppedUp} synchronously in that transaction.
     *
     * @param amount more than 0 EUR, at most 6 decimals
     * @param idempotencyKey unique per payment (e.g. {@code campaign-topup:<provider>:<event id>}); a
     *     replay returns the first credit with {@code replayed} true
     * @param description shown in the wallet history
     * @param metadata small traceability facts (provider, event id, invoice id)
     * @throws CampaignsException {@code INVALID} (field {@code amount}) for a non-positive amount
     * @throws io.iploop.server.ledger.LedgerException {@code IDEMPOTENCY_CONFLICT} when the key was used
     *     for a different amount or wallet
     */
    WalletCredit credit(UUID userId, BigDecimal amount, String idempotencyKey, String description,
            Map<String, String> metadata);

    /**
     * Charges the project owner's wallet for {@code visits} at {@code rate} EUR per 1,000 visits, in a
     * transaction of its own (call it outside other transactions). An insufficient balance charges
     * nothing and answers {@code charged} false.
     *
     * @param idempotencyKey unique per batch of visits (e.g. {@code campaign-spend:<project>:<batch>})
     * @throws CampaignsException {@code PROJECT_NOT_FOUND}, or {@code INVALID} for fewer than 1 visit
     *     or a non-positive rate
     */
    WalletSpend spend(UUID projectId, long visits, BigDecimal rate, String idempotencyKey);

    /**
     * Takes (part of) a top-up back because the payment provider refunded or charged it back
     * (docs/campaigns.md#refunds-and-chargebacks): one {@code CAMPAIGN_TOP_UP_REVERSAL} transaction that
     * corrects the top-up, {@code CAMPAIGN_PAYMENTS +amount}, the wallet {@code −taken} (what it still
     * holds, up to the amount) and {@code CAMPAIGN_CHARGEBACK_LOSSES −lost} for the rest, which the
     * customer had already spent: the rule billing applies to a chargeback of spent prepaid credits.
     * The wallet never goes negative; an emptied wallet pauses the customer's campaigns at the engine's
     * next round. The amount is capped at what is left of the top-up after earlier reversals. Joins the
     * caller's transaction; a new reversal publishes {@link CampaignTopUpReversed} in it.
     * Reversals of one top-up are serialised (a transaction-scoped lock on the top-up).
     *
     * @param topUpKey the top-up's idempotency key ({@code campaign-topup:invoice:<id>},
     *     {@code campaign-topup:payment_provider:<event id>})
     * @param amount EUR more than 0, at most 2 decimals; more than what is left is capped
     * @param reversalKey unique per refund or chargeback (1-300 characters); a replay returns the first
     *     reversal with {@code replayed} true and moves nothing
     * @param refuseIfSpent true for a refund someone chose to make (an admin's): refused when the wallet
     *     holds less than the amount; false when the money is gone anyway (a chargeback, a refund the
     *     provider already made)
     * @param description shown in the wallet history
     * @param metadata small traceability facts (provider, event id, invoice id)
     * @return the reversal; {@code amount} 0 and no transaction when nothing is left of the top-up
     * @throws CampaignsException {@code TOP_UP_NOT_FOUND}; {@code REVERSAL_EXCEEDS_UNSPENT};
     *     {@code INVALID} (field {@code amount} or {@code reversalKey})
     */
    WalletReversal reverse(String topUpKey, BigDecimal amount, String reversalKey, boolean refuseIfSpent,
            String description, Map<String, String> metadata);
}
