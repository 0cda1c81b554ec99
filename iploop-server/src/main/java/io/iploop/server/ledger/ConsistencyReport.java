package io.iploop.server.ledger;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The ledger re-derived from its entries (docs/product/admin.md#earn-and-money-tools).
 *
 * @param accountsChecked every account, compared with the sum of its entries
 * @param transactionsChecked every transaction, checked to sum to zero per currency
 * @param accountMismatches accounts whose stored balance differs from the sum of entries
 * @param unbalancedTransactions transactions whose entries do not sum to zero
 * @param negativeBalances accounts below zero that must never be
 */
public record ConsistencyReport(Instant checkedAt, long accountsChecked, long transactionsChecked,
        List<AccountMismatch> accountMismatches, List<UUID> unbalancedTransactions, List<UUID> negativeBalances) {

    public ConsistencyReport {
        accountMismatches = List.copyOf(accountMismatches);
        unbalancedTransactions = List.copyOf(unbalancedTransactions);
        negativeBalances = List.copyOf(negativeBalances);
    }

    /** True when nothing was found wrong. */
    public boolean consistent() {
        return accountMismatches.isEmpty() && unbalancedTransactions.isEmpty() && negativeBalances.isEmpty();
    }

    /** An account whose stored balance is not the sum of its entries. */
    public record AccountMismatch(UUID accountId, BigDecimal storedBalance, BigDecimal sumOfEntries) {}
}
