package io.iploop.server.ledger;

import java.math.BigDecimal;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One ledger account as read. Immutable.
 *
 * @param ownerId the owning user, or null for a platform account
 * @param balance sum of the account's entries at read time, in {@code currency}
 */
public record LedgerAccount(UUID id, @Nullable UUID ownerId, AccountPurpose purpose, LedgerCurrency currency,
        BigDecimal balance) {

    /** The balance in whole credits; only for {@link LedgerCurrency#CREDIT} accounts. */
    public long credits() {
        return balance.longValueExact();
    }
}
