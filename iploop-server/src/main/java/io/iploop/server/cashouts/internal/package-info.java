/**
 * Implementation of the cash-outs feature: the service and the transactional workflow that applies
 * {@link io.iploop.server.cashouts.CashoutStateMachine} transitions with their ledger movements,
 * mails and audit entries; payment-detail validation; the repositories; the REST controllers; the
 * payout providers (PayPal Payouts REST client, manual) and the {@code cashout-payouts} and
 * {@code auto-cashout} jobs. Package-private.
 */
@NullMarked
package io.iploop.server.cashouts.internal;

import org.jspecify.annotations.NullMarked;
