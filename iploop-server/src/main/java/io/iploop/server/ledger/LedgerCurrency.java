package io.iploop.server.ledger;

import java.math.BigDecimal;

/**
 * The unit an account counts in. Currencies are never mixed within one account or balanced against
 * each other in one transaction (docs/product/ledger.md#currencies-and-units).
 */
public enum LedgerCurrency {
    /** Earn credit: whole numbers only, 1 credit = USD 0.001 (docs/product/earn.md#credits). */
    CREDIT(0),
    /** US dollars (customer prepaid balances, docs/product/billing.md#prepaid-credits). */
    USD(6),
    /** Euros (campaign wallets, docs/campaigns.md#wallet). */
    EUR(6);

    /** USD value of one earn credit. */
    public static final BigDecimal USD_PER_CREDIT = new BigDecimal("0.001");

    private final int scale;

    LedgerCurrency(int scale) {
        this.scale = scale;
    }

    /** Decimal places an amount may carry in this currency (0 for credits). */
    public int scale() {
        return scale;
    }
}
