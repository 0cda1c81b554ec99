package io.iploop.server.ledger;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * One side of a transaction: a signed amount added to an account's balance (positive increases it).
 *
 * @param amount non-zero, in the account's currency, with at most that currency's scale
 */
public record Posting(UUID accountId, BigDecimal amount) {

    /** A posting of whole earn credits. */
    public static Posting credits(UUID accountId, long credits) {
        return new Posting(accountId, BigDecimal.valueOf(credits));
    }
}
