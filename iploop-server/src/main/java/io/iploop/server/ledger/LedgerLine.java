package io.iploop.server.ledger;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One entry of an account's history with its transaction's facts.
 *
 * @param amount signed change of the account's balance
 * @param balanceAfter the account's balance right after this entry
 */
public record LedgerLine(long entryId, UUID transactionId, TransactionKind kind, String description,
        BigDecimal amount, BigDecimal balanceAfter, Instant createdAt, Map<String, String> metadata) {

    public LedgerLine {
        metadata = Map.copyOf(metadata);
    }
}
