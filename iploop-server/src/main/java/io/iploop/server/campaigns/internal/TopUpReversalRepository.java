package io.iploop.server.campaigns.internal;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code campaign_top_up_reversals} (docs/campaigns.md#refunds-and-chargebacks): one row per
 * refund or chargeback of a wallet top-up, keyed by the reversal's key. Thread-safe; callers serialise
 * the reversals of one top-up with {@link #lockTopUp}.
 */
@Repository
class TopUpReversalRepository {

    /** A stored reversal. */
    record Row(String reversalKey, UUID topUpTransaction, UUID userId, BigDecimal amount, BigDecimal taken,
            BigDecimal lost, UUID transactionId) {}

    private final JdbcClient jdbc;

    TopUpReversalRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Holds a transaction-scoped advisory lock on the top-up, so two refunds of one top-up (two provider
     * events, a refund and a chargeback) compute what is left one after the other.
     */
    void lockTopUp(UUID topUpTransaction) {
        jdbc.sql("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended('campaign-top-up:' || :t, 0))) l")
                .param("t", topUpTransaction.toString()).query(Integer.class).single();
    }

    Optional<Row> find(String reversalKey) {
        return jdbc.sql("""
                        SELECT reversal_key, top_up_transaction, user_id, amount, taken, lost, transaction_id
                          FROM campaign_top_up_reversals WHERE reversal_key = :k""")
                .param("k", reversalKey)
                .query((rs, n) -> new Row(rs.getString(1), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                        rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getBigDecimal(6), rs.getObject(7, UUID.class)))
                .optional();
    }

    /** EUR of the top-up reversed so far. */
    BigDecimal reversed(UUID topUpTransaction) {
        return jdbc.sql("SELECT coalesce(sum(amount), 0) FROM campaign_top_up_reversals WHERE top_up_transaction = :t")
                .param("t", topUpTransaction).query(BigDecimal.class).single();
    }

    void insert(Row r) {
        jdbc.sql("""
                        INSERT INTO campaign_top_up_reversals (reversal_key, top_up_transaction, user_id, amount, taken, lost,
                                                               transaction_id)
                        VALUES (:k, :t, :u, :amount, :taken, :lost, :tx)""")
                .param("k", r.reversalKey()).param("t", r.topUpTransaction()).param("u", r.userId())
                .param("amount", r.amount()).param("taken", r.taken()).param("lost", r.lost())
                .param("tx", r.transactionId()).update();
    }
}
