package io.iploop.server.ledger.internal;

import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.ConsistencyReport.AccountMismatch;
import io.iploop.server.ledger.LedgerAccount;
import io.iploop.server.ledger.LedgerCurrency;
import io.iploop.server.ledger.LedgerLine;
import io.iploop.server.ledger.Posting;
import io.iploop.server.ledger.TransactionKind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * SQL for the ledger tables. Entries and transactions are insert-only (the tables refuse updates);
 * balances change only through the entry trigger. Thread-safe.
 */
@Repository
class LedgerRepository {

    private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    LedgerRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Creates the account unless it exists; concurrent callers end up with the same row. */
    LedgerAccount getOrCreate(@Nullable UUID ownerId, AccountPurpose purpose) {
        jdbc.sql("""
                        INSERT INTO ledger_accounts (id, owner_id, purpose, currency, allow_negative)
                        VALUES (:id, :ownerId, :purpose, :currency, :allowNegative)
                        ON CONFLICT ON CONSTRAINT ledger_accounts_owner_purpose DO NOTHING""")
                .param("id", UUID.randomUUID())
                .param("ownerId", ownerId)
                .param("purpose", purpose.name())
                .param("currency", purpose.currency().name())
                .param("allowNegative", purpose.allowNegative())
                .update();
        return jdbc.sql("""
                        SELECT id, owner_id, purpose, currency, balance FROM ledger_accounts
                        WHERE owner_id IS NOT DISTINCT FROM :ownerId AND purpose = :purpose AND currency = :currency""")
                .param("ownerId", ownerId)
                .param("purpose", purpose.name())
                .param("currency", purpose.currency().name())
                .query(LedgerRepository::account)
                .single();
    }

    /** The owner's account for {@code purpose} if it exists; never creates one. */
    Optional<LedgerAccount> findOwned(UUID ownerId, AccountPurpose purpose) {
        return jdbc.sql("""
                        SELECT id, owner_id, purpose, currency, balance FROM ledger_accounts
                        WHERE owner_id = :ownerId AND purpose = :purpose AND currency = :currency""")
                .param("ownerId", ownerId)
                .param("purpose", purpose.name())
                .param("currency", purpose.currency().name())
                .query(LedgerRepository::account)
                .optional();
    }

    Optional<LedgerAccount> find(UUID accountId) {
        return jdbc.sql("SELECT id, owner_id, purpose, currency, balance FROM ledger_accounts WHERE id = :id")
                .param("id", accountId)
                .query(LedgerRepository::account)
                .optional();
    }

    /** The accounts among {@code ids} that exist, with their currencies. */
    Map<UUID, LedgerCurrency> currencies(List<UUID> ids) {
        return jdbc.sql("SELECT id, currency FROM ledger_accounts WHERE id = ANY(:ids)")
                .param("ids", ids.toArray(UUID[]::new))
                .query((rs, n) -> Map.entry(rs.getObject("id", UUID.class),
                        LedgerCurrency.valueOf(rs.getString("currency"))))
                .list()
                .stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /**
     * Inserts the transaction row; false when another transaction already holds the idempotency key
     * (waits for a concurrent holder to commit or roll back, as unique indexes do).
     */
    boolean insertTransaction(UUID id, TransactionKind kind, @Nullable String idempotencyKey, String description,
            @Nullable UUID correctsId, @Nullable UUID createdBy, Map<String, String> metadata) {
        return jdbc.sql("""
                        INSERT INTO ledger_transactions (id, kind, idempotency_key, description, corrects_id,
                                                         created_by, metadata)
                        VALUES (:id, :kind, :key, :description, :correctsId, :createdBy, CAST(:metadata AS jsonb))
                        ON CONFLICT ON CONSTRAINT ledger_transactions_idempotency_key DO NOTHING""")
                .param("id", id)
                .param("kind", kind.name())
                .param("key", idempotencyKey)
                .param("description", description)
                .param("correctsId", correctsId)
                .param("createdBy", createdBy)
                .param("metadata", json.writeValueAsString(metadata))
                .update() == 1;
    }

    void insertEntry(UUID transactionId, UUID accountId, LedgerCurrency currency, BigDecimal amount) {
        jdbc.sql("""
                        INSERT INTO ledger_entries (transaction_id, account_id, currency, amount)
                        VALUES (:transactionId, :accountId, :currency, :amount)""")
                .param("transactionId", transactionId)
                .param("accountId", accountId)
                .param("currency", currency.name())
                .param("amount", amount)
                .update();
    }

    /** The stored transaction with this key: id, kind, description, created and postings. */
    Optional<StoredTransaction> findByIdempotencyKey(String idempotencyKey) {
        return jdbc.sql("""
                        SELECT id, kind, idempotency_key, description, created_at FROM ledger_transactions
                        WHERE idempotency_key = :key""")
                .param("key", idempotencyKey)
                .query((rs, n) -> new StoredTransaction(rs.getObject("id", UUID.class),
                        TransactionKind.valueOf(rs.getString("kind")), rs.getString("idempotency_key"),
                        rs.getString("description"), instant(rs, "created_at"), List.of()))
                .optional()
                .map(t -> new StoredTransaction(t.id(), t.kind(), t.idempotencyKey(), t.description(), t.createdAt(),
                        postings(t.id())));
    }

    private List<Posting> postings(UUID transactionId) {
        return jdbc.sql("SELECT account_id, amount FROM ledger_entries WHERE transaction_id = :id ORDER BY id")
                .param("id", transactionId)
                .query((rs, n) -> new Posting(rs.getObject("account_id", UUID.class), rs.getBigDecimal("amount")))
                .list();
    }

    Instant createdAt(UUID transactionId) {
        return jdbc.sql("SELECT created_at FROM ledger_transactions WHERE id = :id")
                .param("id", transactionId)
                .query((rs, n) -> instant(rs, "created_at"))
                .single();
    }

    /** Newest first, with the running balance after each entry. */
    List<LedgerLine> history(UUID accountId, LedgerCurrency currency, int offset, int limit) {
        return jdbc.sql("""
                        SELECT e.id, e.transaction_id, t.kind, t.description, e.amount, e.created_at,
                               t.metadata::text AS metadata,
                               sum(e.amount) OVER (ORDER BY e.id) AS balance_after
                        FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
                        WHERE e.account_id = :accountId
                        ORDER BY e.id DESC
                        OFFSET :offset LIMIT :limit""")
                .param("accountId", accountId)
                .param("offset", offset)
                .param("limit", limit)
                .query((rs, n) -> new LedgerLine(rs.getLong("id"), rs.getObject("transaction_id", UUID.class),
                        TransactionKind.valueOf(rs.getString("kind")), rs.getString("description"),
                        scaled(rs.getBigDecimal("amount"), currency),
                        scaled(rs.getBigDecimal("balance_after"), currency), instant(rs, "created_at"),
                        json.readValue(rs.getString("metadata"), METADATA)))
                .list();
    }

    long countEntries(UUID accountId) {
        return jdbc.sql("SELECT count(*) FROM ledger_entries WHERE account_id = :accountId")
                .param("accountId", accountId)
                .query(Long.class)
                .single();
    }

    long countAccounts() {
        return jdbc.sql("SELECT count(*) FROM ledger_accounts").query(Long.class).single();
    }

    long countTransactions() {
        return jdbc.sql("SELECT count(*) FROM ledger_transactions").query(Long.class).single();
    }

    List<AccountMismatch> balanceMismatches() {
        return jdbc.sql("""
                        SELECT a.id, a.balance, coalesce(sum(e.amount), 0) AS derived
                        FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
                        GROUP BY a.id, a.balance
                        HAVING a.balance <> coalesce(sum(e.amount), 0)""")
                .query((rs, n) -> new AccountMismatch(rs.getObject("id", UUID.class), rs.getBigDecimal("balance"),
                        rs.getBigDecimal("derived")))
                .list();
    }

    List<UUID> unbalancedTransactions() {
        return jdbc.sql("""
                        SELECT DISTINCT t.id FROM ledger_transactions t
                        LEFT JOIN ledger_entries e ON e.transaction_id = t.id
                        GROUP BY t.id, e.currency
                        HAVING count(e.id) < 2 OR coalesce(sum(e.amount), 0) <> 0""")
                .query((rs, n) -> rs.getObject("id", UUID.class))
                .list();
    }

    /** Sum of the entries of every {@code purpose} account in transactions created in {@code [from, to)}. */
    BigDecimal movement(AccountPurpose purpose, Instant from, Instant to) {
        BigDecimal sum = jdbc.sql("""
                        SELECT coalesce(sum(e.amount), 0) FROM ledger_entries e
                        JOIN ledger_accounts a ON a.id = e.account_id
                        JOIN ledger_transactions t ON t.id = e.transaction_id
                        WHERE a.purpose = :purpose AND t.created_at >= :from AND t.created_at < :to""")
                .param("purpose", purpose.name())
                .param("from", java.sql.Timestamp.from(from))
                .param("to", java.sql.Timestamp.from(to))
                .query(BigDecimal.class)
                .single();
        return scaled(sum.setScale(6, RoundingMode.UNNECESSARY), purpose.currency());
    }

    List<UUID> negativeBalances() {
        return jdbc.sql("SELECT id FROM ledger_accounts WHERE NOT allow_negative AND balance < 0")
                .query((rs, n) -> rs.getObject("id", UUID.class))
                .list();
    }

    private static LedgerAccount account(ResultSet rs, int row) throws SQLException {
        LedgerCurrency currency = LedgerCurrency.valueOf(rs.getString("currency"));
        return new LedgerAccount(rs.getObject("id", UUID.class), rs.getObject("owner_id", UUID.class),
                AccountPurpose.valueOf(rs.getString("purpose")), currency,
                scaled(rs.getBigDecimal("balance"), currency));
    }

    /** Stored amounts carry six decimals; the currency's own scale is exact (entries are checked). */
    private static BigDecimal scaled(BigDecimal stored, LedgerCurrency currency) {
        return stored.setScale(currency.scale(), RoundingMode.UNNECESSARY);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    /** A transaction as stored, for idempotent replays. */
    record StoredTransaction(UUID id, TransactionKind kind, @Nullable String idempotencyKey, String description,
            Instant createdAt, List<Posting> postings) {}
}
