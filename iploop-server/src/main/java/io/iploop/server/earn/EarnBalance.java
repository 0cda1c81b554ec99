package io.iploop.server.earn;

import java.math.BigDecimal;

/**
 * An operator's balance and recent earnings (docs/product/earn.md#balance). Credits are whole numbers,
 * 1 credit = USD 0.001; USD values are exact (3 decimals). Today, this week (from Monday) and this
 * month are UTC calendar periods and count bandwidth credits and referral commissions. Immutable.
 *
 * @param credits spendable credits now (the ledger's OPERATOR_EARNINGS balance)
 * @param reservedCredits credits held for pending cash-outs
 */
public record EarnBalance(long credits, BigDecimal usd, long reservedCredits, Earned today, Earned week, Earned month,
        TierProgress tier, MultiplierBreakdown multipliers) {

    /** Credits earned in a period and their USD value. */
    public record Earned(long credits, BigDecimal usd) {}
}
