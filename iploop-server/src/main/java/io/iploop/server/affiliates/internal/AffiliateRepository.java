package io.iploop.server.affiliates.internal;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL of the affiliates feature's tables ({@code affiliate_clicks}, {@code affiliate_commissions}). Thread-safe. */
@Repository
class AffiliateRepository {

    /** A commission row as stored. */
    record Row(UUID id, UUID affiliateId, UUID refereeId, UUID topUpTransaction, BigDecimal topUpAmount,
            BigDecimal amount, String currency, String status, Instant availableAt, Instant createdAt,
            @Nullable UUID releaseTransaction, BigDecimal reversedAmount, UUID pendingTransaction) {

        /** What is left of the commission after reversals. */
        BigDecimal net() {
            return amount.subtract(reversedAmount);
        }
    }

    private final JdbcClient jdbc;

    AffiliateRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Counts {@code visitorId}'s click on the affiliate's link once; true when it was new. */
    boolean recordClick(UUID affiliateId, String visitorId) {
        return jdbc.sql("""
                        INSERT INTO affiliate_clicks (affiliate_id, visitor_id) VALUES (:a, :v)
                        ON CONFLICT (affiliate_id, visitor_id) DO NOTHING""")
                .param("a", affiliateId).param("v", visitorId).update() == 1;
    }

    long clicks(UUID affiliateId) {
        return jdbc.sql("SELECT count(*) FROM affiliate_clicks WHERE affiliate_id = :a").param("a", affiliateId)
                .query(Long.class).single();
    }

    /** Stores a commission once per top-up; false when the top-up already has one. */
    boolean insert(UUID id, UUID affiliateId, UUID refereeId, UUID topUpTransaction, BigDecimal topUpAmount,
            BigDecimal amount, Instant availableAt, UUID pendingTransaction) {
        return jdbc.sql("""
                        INSERT INTO affiliate_commissions (id, affiliate_id, referee_id, top_up_transaction, top_up_amount,
                            amount, available_at, pending_transaction)
                        VALUES (:id, :a, :r, :t, :topUp, :amount, :availableAt, :pending)
                        ON CONFLICT (top_up_transaction) DO NOTHING""")
                .param("id", id).param("a", affiliateId).param("r", refereeId).param("t", topUpTransaction)
                .param("topUp", topUpAmount).param("amount", amount).param("availableAt", Timestamp.from(availableAt))
                .param("pending", pendingTransaction).update() == 1;
    }

    /** Ids of pending commissions due by {@code now}, oldest first, at most {@code limit}. */
    List<UUID> due(Instant now, int limit) {
        return jdbc.sql("""
                        SELECT id FROM affiliate_commissions WHERE status = 'pending' AND available_at <= :now
                        ORDER BY available_at, id LIMIT :limit""")
                .param("now", Timestamp.from(now)).param("limit", limit).query(UUID.class).list();
    }

    /** The commission, locked until the transaction ends, if it is still pending. */
    @Nullable Row lockPending(UUID id) {
        return jdbc.sql("SELECT * FROM affiliate_commissions WHERE id = :id AND status = 'pending' FOR UPDATE SKIP LOCKED")
                .param("id", id).query(AffiliateRepository::map).optional().orElse(null);
    }

    /** The commission of the top-up, locked until the transaction ends (waits for a release in progress). */
    @Nullable Row lockByTopUp(UUID topUpTransaction) {
        return jdbc.sql("SELECT * FROM affiliate_commissions WHERE top_up_transaction = :t FOR UPDATE")
                .param("t", topUpTransaction).query(AffiliateRepository::map).optional().orElse(null);
    }

    /** Adds {@code amount} to what was reversed of the commission; a commission reversed in full becomes {@code reversed}. */
    void reversed(UUID id, BigDecimal amount) {
        jdbc.sql("""
                        UPDATE affiliate_commissions
                           SET reversed_amount = reversed_amount + :amount,
                               status = CASE WHEN reversed_amount + :amount >= amount THEN 'reversed' ELSE status END
                         WHERE id = :id""")
                .param("amount", amount).param("id", id).update();
    }

    void released(UUID id, UUID releaseTransaction, Instant at) {
        jdbc.sql("""
                        UPDATE affiliate_commissions SET status = 'available', release_transaction = :tx, released_at = :at
                        WHERE id = :id""")
                .param("tx", releaseTransaction).param("at", Timestamp.from(at)).param("id", id).update();
    }

    /** Every commission ever granted to the affiliate, EUR, less what refunds and chargebacks reversed. */
    BigDecimal granted(UUID affiliateId) {
        return jdbc.sql("SELECT coalesce(sum(amount - reversed_amount), 0) FROM affiliate_commissions WHERE affiliate_id = :a")
                .param("a", affiliateId).query(BigDecimal.class).single();
    }

    long count(UUID affiliateId) {
        return jdbc.sql("SELECT count(*) FROM affiliate_commissions WHERE affiliate_id = :a").param("a", affiliateId)
                .query(Long.class).single();
    }

    List<Row> page(UUID affiliateId, int offset, int limit) {
        return jdbc.sql("""
                        SELECT * FROM affiliate_commissions WHERE affiliate_id = :a
                        ORDER BY created_at DESC, id DESC OFFSET :offset LIMIT :limit""")
                .param("a", affiliateId).param("offset", offset).param("limit", limit).query(AffiliateRepository::map).list();
    }

    private static Row map(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getObject("id", UUID.class), rs.getObject("affiliate_id", UUID.class),
                rs.getObject("referee_id", UUID.class), rs.getObject("top_up_transaction", UUID.class),
                rs.getBigDecimal("top_up_amount"), rs.getBigDecimal("amount"), rs.getString("currency"),
                rs.getString("status"), rs.getTimestamp("available_at").toInstant(),
                rs.getTimestamp("created_at").toInstant(), rs.getObject("release_transaction", UUID.class),
                rs.getBigDecimal("reversed_amount"), rs.getObject("pending_transaction", UUID.class));
    }
}
