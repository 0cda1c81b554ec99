package io.iploop.server.cashouts;

import java.util.UUID;

/**
 * Published after every committed-to-be status change of a cash-out, inside its transaction
 * (listen with {@code @TransactionalEventListener} to act after commit). Immutable.
 *
 * @param amountCredits the cash-out's whole credits
 */
public record CashoutStatusChanged(UUID cashoutId, UUID userId, CashoutStatus from, CashoutStatus to,
        long amountCredits) {}
