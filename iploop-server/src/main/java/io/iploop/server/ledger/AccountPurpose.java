package io.iploop.server.ledger;

/**
 * What a ledger account holds. Owned purposes exist once per user; platform purposes exist once.
 * Balances are signed sums of entries: a platform source account (such as {@link #EARN_ISSUED}) runs
 * negative by exactly what it has handed out, which is what makes every credit traceable.
 */
public enum AccountPurpose {
    /** A node operator's spendable earn credits (docs/product/earn.md#credits). Never negative. */
    OPERATOR_EARNINGS(LedgerCurrency.CREDIT, true, false),
    /** Credits held for the operator's pending cash-outs (docs/product/cashouts.md). Never negative. */
    CASHOUT_RESERVED(LedgerCurrency.CREDIT, true, false),
    /** Platform: the source of every earned credit (bandwidth, referral bonuses and commissions). */
    EARN_ISSUED(LedgerCurrency.CREDIT, false, true),
    /** Platform: the counterpart of manual credit adjustments made by admins. */
    EARN_ADJUSTMENTS(LedgerCurrency.CREDIT, false, true),
    /** Platform: credits that left the platform as completed payouts. */
    PAYOUTS_PAID(LedgerCurrency.CREDIT, false, true),
    /** A customer's prepaid USD credits, 1 credit = USD 1 (docs/billing.md#ledger). Never negative. */
    CUSTOMER_CREDITS(LedgerCurrency.USD, true, false),
    /**
     * Platform: the source of every USD a customer paid in (docs/billing.md#ledger); runs negative by
     * exactly what customers paid.
     */
    CUSTOMER_PAYMENTS(LedgerCurrency.USD, false, true),
    /** Platform: bonus credits of credit packages, given on top of what was paid (docs/billing.md#ledger). */
    CREDIT_BONUSES(LedgerCurrency.USD, false, true),
    /** Platform: USD paid for GB packages, whose GB go to the plan balance (docs/billing.md#ledger). */
    GB_PACKAGE_SALES(LedgerCurrency.USD, false, true),
    /**
     * Platform: VAT collected on customer invoices and owed to the tax authority (docs/billing.md#vat);
     * grows with each taxed payment, shrinks with refunded tax.
     */
    VAT_PAYABLE(LedgerCurrency.USD, false, true),
    /**
     * Platform: credits a customer had already spent when their payment was charged back
     * (docs/billing.md#refunds); runs negative by what the platform lost.
     */
    CHARGEBACK_LOSSES(LedgerCurrency.USD, false, true),
    /** Platform: USD paid for plan subscriptions through Stripe (docs/billing.md#ledger). */
    SUBSCRIPTION_SALES(LedgerCurrency.USD, false, true),
    /**
     * Platform: prepaid credits spent on time-based targeting beyond the plan
     * (docs/billing.md#time-based-targeting).
     */
    PREMIUM_TARGETING_REVENUE(LedgerCurrency.USD, false, true),
    /** Platform: prepaid credits spent on pay-as-you-go traffic (docs/billing.md#pay-as-you-go). */
    PAYG_USAGE_REVENUE(LedgerCurrency.USD, false, true),
    /**
     * Platform: what customers owe on invoices billed before payment (a plan change's prorated
     * difference, overage; docs/billing.md#ledger); runs negative by the open amount and returns to
     * 0 as those invoices are paid or voided.
     */
    CUSTOMER_RECEIVABLES(LedgerCurrency.USD, false, true),
    /** Platform: USD billed for usage beyond a plan's included GB (docs/billing.md#overage). */
    OVERAGE_SALES(LedgerCurrency.USD, false, true),
    /** A customer's campaign wallet in EUR (docs/campaigns.md#wallet). Never negative. */
    CAMPAIGN_WALLET(LedgerCurrency.EUR, true, false),
    /**
     * Platform: the source of every EUR paid into campaign wallets (docs/campaigns.md#wallet); runs
     * negative by exactly what customers paid in.
     */
    CAMPAIGN_PAYMENTS(LedgerCurrency.EUR, false, true),
    /** Platform: EUR spent from campaign wallets on delivered visits (docs/campaigns.md#wallet). */
    CAMPAIGN_REVENUE(LedgerCurrency.EUR, false, true),
    /**
     * An affiliate's commissions still in their holding period, EUR (docs/affiliates.md#ledger). Never
     * negative.
     */
    AFFILIATE_PENDING(LedgerCurrency.EUR, true, false),
    /** An affiliate's commissions past the holding period, ready to be paid out, EUR (docs/affiliates.md#ledger). */
    AFFILIATE_AVAILABLE(LedgerCurrency.EUR, true, false),
    /** Affiliate commission held for the affiliate's payouts in flight, EUR (docs/affiliates.md#payouts). */
    AFFILIATE_PAYOUT_RESERVED(LedgerCurrency.EUR, true, false),
    /**
     * Platform: the cost of every affiliate commission granted (docs/affiliates.md#ledger); runs negative
     * by exactly what affiliates were granted.
     */
    AFFILIATE_COMMISSIONS(LedgerCurrency.EUR, false, true),
    /** Platform: affiliate commission that left the platform as completed payouts, EUR (docs/affiliates.md#payouts). */
    AFFILIATE_PAYOUTS_PAID(LedgerCurrency.EUR, false, true),
    /**
     * Platform: EUR a customer had already spent from their campaign wallet when the top-up that paid
     * for it was refunded or charged back at the payment provider (docs/campaigns.md#refunds-and-chargebacks);
     * runs negative by what the platform lost. The EUR twin of {@link #CHARGEBACK_LOSSES}.
     */
    CAMPAIGN_CHARGEBACK_LOSSES(LedgerCurrency.EUR, false, true),
    /**
     * What an affiliate owes back, EUR (docs/affiliates.md#refunds-and-chargebacks): commission reversed
     * after it was released and no longer available (paid out or in a payout). Zero or negative; the
     * affiliate's next released commissions pay it back first.
     */
    AFFILIATE_CLAWBACK(LedgerCurrency.EUR, true, true),
    /** Platform: USD paid for pool plans (docs/upstream-pool.md#buying-a-pool-plan), net of VAT. */
    POOL_PLAN_SALES(LedgerCurrency.USD, false, true);

    private final LedgerCurrency currency;
    private final boolean owned;
    private final boolean allowNegative;

    AccountPurpose(LedgerCurrency currency, boolean owned, boolean allowNegative) {
        this.currency = currency;
        this.owned = owned;
        this.allowNegative = allowNegative;
    }

    /** The unit this account counts in. */
    public LedgerCurrency currency() {
        return currency;
    }

    /** True when there is one account per user, false for a single platform account. */
    public boolean owned() {
        return owned;
    }

    /**
     * True when the balance may go below zero: platform counterpart accounts, and the one owned account
     * that holds a debt ({@link #AFFILIATE_CLAWBACK}).
     */
    public boolean allowNegative() {
        return allowNegative;
    }
}
