/**
 * The earn side of ProxyClaw (docs/product/earn.md): node operators' devices (pause, resume,
 * rename, remove; the agent registers itself), bandwidth contributions recorded from metered usage
 * in the same transaction, the five-minute credit job that turns them into ledger credits by tier
 * rate and stacked multipliers with exact rounding, balances, history, statistics, earnings export
 * and the referral programme. Money moves only through {@link io.iploop.server.ledger.LedgerService}.
 */
@NullMarked
package io.iploop.server.earn;

import org.jspecify.annotations.NullMarked;
