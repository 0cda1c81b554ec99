/**
 * Cash-outs of earn credits (docs/product/cashouts.md, docs/product/admin.md#earn-and-money-tools): the configured payout methods,
 * requests confirmed by an e-mailed code, the state machine declared once in
 * {@link io.iploop.server.cashouts.CashoutStateMachine} with the ledger movement of each transition
 * (reserve, release, pay out), admin review of a user's first cash-outs, payout providers (PayPal
 * Payouts, manual) driven by the {@code cashout-payouts} job, saved payment methods encrypted at rest
 * and the daily {@code auto-cashout} job. Money moves only through
 * {@link io.iploop.server.ledger.LedgerService}, in the same database transaction as the state change.
 */
@NullMarked
package io.iploop.server.cashouts;

import org.jspecify.annotations.NullMarked;
