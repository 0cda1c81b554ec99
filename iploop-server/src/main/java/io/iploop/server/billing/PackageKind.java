package io.iploop.server.billing;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a package buys (docs/billing.md#packages). */
public enum PackageKind {
    /** Prepaid USD credits, 1 credit = USD 1, plus any bonus. */
    CREDITS,
    /** GB (10^9 bytes) added to the active plan's balance. */
    GB,
    /**
     * Not a package: a plan upgrade's prorated difference, billed when the plan changed
     * (docs/billing.md#plan-changes).
     */
    PLAN,
    /** Not a package: a period's usage beyond its GB, billed at the period end (docs/billing.md#overage). */
    OVERAGE,
    /**
     * Not a package: a prepaid top-up of a wallet another feature keeps (the EUR campaign wallet,
     * docs/campaigns.md#wallet-invoices); paying it funds the wallet through {@link WalletTopUps}.
     */
    WALLET,
    /**
     * A pool plan (docs/upstream-pool.md#buying-a-pool-plan): paying it grants or renews the account's
     * pool access for 30 days through {@link PoolPlanSales}.
     */
    POOL;

    /**
     * True for what is billed before it is paid (a plan change, overage): the charge is on the ledger
     * when the invoice is issued (docs/billing.md#ledger), the payment clears the receivable.
     */
    public boolean billed() {
        return this == PLAN || this == OVERAGE;
    }

    /** The lower-case name used in JSON and the database. */
    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
