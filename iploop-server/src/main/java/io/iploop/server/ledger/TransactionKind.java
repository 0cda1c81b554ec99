package io.iploop.server.ledger;

/** Why value moved; stored with each transaction and shown in histories. */
public enum TransactionKind {
    /** Credits for bytes carried (docs/product/earn.md#credit-calculation), from the credit calculation job. */
    EARN_CREDIT,
    /** The 500-credit sign-up bonus of a referred operator (docs/product/earn.md#referrals). */
    REFERRAL_SIGNUP_BONUS,
    /** The referrer's 10 % of a referee's earnings (docs/product/earn.md#referrals). */
    REFERRAL_COMMISSION,
    /** Credits reserved for a requested cash-out (docs/product/cashouts.md). */
    CASHOUT_RESERVE,
    /** Reserved credits returned on rejection or cancellation. */
    CASHOUT_RELEASE,
    /** Reserved credits paid out on completion. */
    CASHOUT_PAYOUT,
    /** A manual adjustment by an admin, with a reason. */
    ADJUSTMENT,
    /** A customer's invoice marked paid: the money in and the credits or GB bought (docs/billing.md#ledger). */
    CUSTOMER_PAYMENT,
    /** An admin's full or partial refund of a paid invoice, with its credit note (docs/billing.md#refunds). */
    CUSTOMER_REFUND,
    /** A payment reversed by the customer's bank or card issuer, with its credit note (docs/billing.md#refunds). */
    CUSTOMER_CHARGEBACK,
    /** Prepaid credits spent on a time-based targeting session's minutes (docs/billing.md#time-based-targeting). */
    PREMIUM_TARGETING,
    /** Prepaid credits spent on pay-as-you-go traffic, per usage batch (docs/billing.md#pay-as-you-go). */
    PAYG_USAGE,
    /** A plan upgrade's prorated difference billed to the customer (docs/billing.md#plan-changes). */
    PLAN_CHANGE_CHARGE,
    /** Usage beyond a period's GB billed at the plan's overage price (docs/billing.md#overage). */
    OVERAGE_CHARGE,
    /** A billed invoice (plan change, overage) voided: its charge reversed (docs/billing.md#ledger). */
    INVOICE_VOIDED,
    /** EUR paid into a campaign wallet, keyed by the payment's idempotency key (docs/campaigns.md#wallet). */
    CAMPAIGN_TOP_UP,
    /** A campaign wallet charged for delivered visits at the rate bought (docs/campaigns.md#wallet). */
    CAMPAIGN_SPEND,
    /**
     * A paid invoice whose payment failed afterwards (e.g. a returned direct debit): what it granted is
     * taken back (docs/billing.md#failed-payments).
     */
    CUSTOMER_PAYMENT_FAILED,
    /** A chargeback given back because the customer's dispute was won (docs/billing.md#disputes). */
    CUSTOMER_DISPUTE_WON,
    /** An affiliate's 20 % of a referred customer's campaign wallet top-up, held as pending (docs/affiliates.md#commission). */
    AFFILIATE_COMMISSION,
    /** A pending affiliate commission past its holding period made available (docs/affiliates.md#commission). */
    AFFILIATE_COMMISSION_RELEASE,
    /**
     * A campaign wallet top-up refunded or charged back at the payment provider: the refunded share taken
     * back from the wallet, what was already spent booked as a loss (docs/campaigns.md#refunds-and-chargebacks).
     */
    CAMPAIGN_TOP_UP_REVERSAL,
    /**
     * The refunded share of an affiliate commission taken back, from pending, available or as a debt
     * (docs/affiliates.md#refunds-and-chargebacks).
     */
    AFFILIATE_COMMISSION_REVERSAL
}
