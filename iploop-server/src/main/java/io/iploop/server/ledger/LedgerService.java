package io.iploop.server.ledger;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * The ledger's public API (docs/product/ledger.md). Thread-safe. Every method joins the caller's
 * database
 * transaction when there is one, so a feature's state change and its posting commit together; a
 * refused posting throws and the caller's transaction rolls back with it.
 */
public interface LedgerService {

    /**
     * The user's account for {@code purpose}, created empty on first use.
     *
     * @throws IllegalArgumentException when {@code purpose} is a platform purpose
     */
    LedgerAccount account(UUID ownerId, AccountPurpose purpose);

    /**
     * The user's account for {@code purpose} if it was ever created; read-only, for callers that
     * ask often (the gateway's credit refresh) and must not create accounts for everybody.
     *
     * @throws IllegalArgumentException when {@code purpose} is a platform purpose
     */
    Optional<LedgerAccount> findAccount(UUID ownerId, AccountPurpose purpose);

    /**
     * The platform's single account for {@code purpose}, created empty on first use.
     *
     * @throws IllegalArgumentException when {@code purpose} is an owned purpose
     */
    LedgerAccount platformAccount(AccountPurpose purpose);

    /** The account with this id, with its current balance. */
    Optional<LedgerAccount> find(UUID accountId);

    /**
     * Posts a transaction atomically: all entries or none. Entries are written in account-id order,
     * so concurrent postings lock accounts in the same order and cannot deadlock each other.
     *
     * @return the new transaction, or the earlier one with the same idempotency key
     *     ({@link PostedTransaction#replayed()} true) when it has the same kind and postings
     * @throws LedgerException {@code UNBALANCED}, {@code INVALID_AMOUNT}, {@code UNKNOWN_ACCOUNT},
     *     {@code INSUFFICIENT_FUNDS} (an account that must not go negative would) or
     *     {@code IDEMPOTENCY_CONFLICT} (the key was used for different postings)
     */
    PostedTransaction post(NewTransaction transaction);

    /**
     * The transaction posted with this idempotency key, if any.
     */
    Optional<PostedTransaction> findByIdempotencyKey(String idempotencyKey);

    /**
     * An account's history, newest first.
     *
     * @param page 1-based
     * @param limit 1 to 100
     * @throws LedgerException {@code UNKNOWN_ACCOUNT}
     */
    LedgerPage history(UUID accountId, int page, int limit);

    /**
     * Re-derives every balance from its entries and checks every transaction sums to zero. Reads
     * the whole ledger in one snapshot; meant for the admin report and tests, not hot paths.
     */
    ConsistencyReport checkConsistency();

    /**
     * The net movement of every account of {@code purpose} over transactions created in
     * {@code [from, to)}: the sum of their entries, signed as posted, in the purpose's currency
     * (e.g. minus the credits issued for {@link AccountPurpose#EARN_ISSUED}). Zero when nothing moved.
     * For reports (docs/billing.md#admin-finance), not hot paths.
     *
     * @throws IllegalArgumentException when {@code to} is not after {@code from}
     */
    BigDecimal movement(AccountPurpose purpose, Instant from, Instant to);
}
