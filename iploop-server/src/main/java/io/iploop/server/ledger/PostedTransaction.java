package io.iploop.server.ledger;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A transaction as stored.
 *
 * @param replayed true when this post found an earlier transaction with the same idempotency key
 *     and nothing new was written
 */
public record PostedTransaction(UUID id, TransactionKind kind, @Nullable String idempotencyKey, String description,
        List<Posting> postings, Instant createdAt, boolean replayed) {

    public PostedTransaction {
        postings = List.copyOf(postings);
    }
}
