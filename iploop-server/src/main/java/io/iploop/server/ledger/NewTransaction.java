package io.iploop.server.ledger;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A transaction to post. Its postings must sum to zero per currency and name at least two entries.
 *
 * @param idempotencyKey required for externally triggered movements (job period, webhook event,
 *     payout); a second post with the same key returns the first transaction instead of posting
 * @param description shown in the owner's history, e.g. "Bandwidth 2026-11-24 10:05-10:10"
 * @param correctsId the transaction this one corrects, or null
 * @param createdBy the user who caused it (an admin for adjustments), or null for the system
 * @param metadata small string facts for traceability (device id, cash-out id, period)
 */
public record NewTransaction(TransactionKind kind, @Nullable String idempotencyKey, String description,
        List<Posting> postings, @Nullable UUID correctsId, @Nullable UUID createdBy, Map<String, String> metadata) {

    public NewTransaction {
        postings = List.copyOf(postings);
        metadata = Map.copyOf(metadata);
    }

    /** A system transaction with an idempotency key, no correction link and no metadata. */
    public static NewTransaction of(TransactionKind kind, @Nullable String idempotencyKey, String description,
            Posting... postings) {
        return new NewTransaction(kind, idempotencyKey, description, List.of(postings), null, null, Map.of());
    }

    /** The same transaction with these metadata. */
    public NewTransaction withMetadata(Map<String, String> facts) {
        return new NewTransaction(kind, idempotencyKey, description, postings, correctsId, createdBy, facts);
    }

    /** The same transaction, caused by {@code userId}. */
    public NewTransaction createdBy(@Nullable UUID userId) {
        return new NewTransaction(kind, idempotencyKey, description, postings, correctsId, userId, metadata);
    }

    /** The same transaction, correcting {@code transactionId}. */
    public NewTransaction correcting(@Nullable UUID transactionId) {
        return new NewTransaction(kind, idempotencyKey, description, postings, transactionId, createdBy, metadata);
    }
}
