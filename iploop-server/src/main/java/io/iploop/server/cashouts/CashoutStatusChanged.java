package io.iploop.server.cashouts;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * Published after every committed-to-be status change of a cash-out, inside its transaction
 * (listen with {@code @TransactionalEventListener} to act after commit). Immutable.
 *
 * @param amountCredits the cash-out's whole earn credits; 0 for a payout of another balance
 *     (an affiliate payout, docs/affiliates.md#payouts), whose amount is only in {@code amount}
 * @param amount the gross amount in {@code currency} (USD for earn credits, EUR for affiliate payouts)
 * @param currency ISO 4217 code of {@code amount}
 * @param source the balance the cash-out pays out
 */
public record CashoutStatusChanged(UUID cashoutId, UUID userId, CashoutStatus from, CashoutStatus to,
        long amountCredits, BigDecimal amount, String currency, CashoutSource source) {}
