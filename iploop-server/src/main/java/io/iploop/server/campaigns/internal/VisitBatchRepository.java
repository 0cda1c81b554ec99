package io.iploop.server.campaigns.internal;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code campaign_visit_batches} (docs/campaigns.md#charging-exactly-once): a round's visits
 * of one project, recorded before they are sent, counted as they are delivered, settled once, then
 * charged once. State changes are compare-and-set on {@code state}, so a batch settled by another
 * round (the engine that sent it was presumed dead) no longer counts visits. Thread-safe.
 */
@Repository
class VisitBatchRepository {

    /** One batch as stored. */
    record Batch(UUID id, UUID projectId, int reserved, int delivered, BigDecimal rate, String state,
            Instant reservedAt) {}

    private final JdbcClient jdbc;

    VisitBatchRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID id, UUID projectId, int reserved, BigDecimal rate, Instant reservedAt) {
        jdbc.sql("""
                INSERT INTO campaign_visit_batches (id, project_id, reserved, rate, state, reserved_at)
                VALUES (:id, :p, :n, :rate, 'sending', :at)""")
                .param("id", id).param("p", projectId).param("n", reserved).param("rate", rate)
                .param("at", OffsetDateTime.ofInstant(reservedAt, ZoneOffset.UTC)).update();
    }

    /** Counts one delivered visit; false when the batch is no longer sending (it was settled meanwhile). */
    boolean countDelivered(UUID id) {
        return jdbc.sql("""
                UPDATE campaign_visit_batches SET delivered = delivered + 1
                WHERE id = :id AND state = 'sending' AND delivered < reserved""").param("id", id).update() == 1;
    }

    /**
     * Ends counting: {@code sending -> settled}, returning the batch as settled, or empty when it
     * was not sending any more (someone else settled it). Call in the transaction that gives back
     * the undelivered visits.
     */
    Optional<Batch> settle(UUID id, Instant now) {
        return jdbc.sql("""
                UPDATE campaign_visit_batches SET state = 'settled', settled_at = :now
                WHERE id = :id AND state = 'sending'
                RETURNING id, project_id, reserved, delivered, rate, state, reserved_at""")
                .param("id", id).param("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .query(VisitBatchRepository::batch).optional();
    }

    /** {@code settled -> charged} or {@code unpaid}; false when it was not settled (already finished). */
    boolean finish(UUID id, boolean charged, @Nullable UUID ledgerTransactionId) {
        return jdbc.sql("""
                UPDATE campaign_visit_batches SET state = :s, ledger_transaction_id = :t
                WHERE id = :id AND state = 'settled'""")
                .param("s", charged ? "charged" : "unpaid").param("t", ledgerTransactionId).param("id", id)
                .update() == 1;
    }

    Optional<Batch> find(UUID id) {
        return jdbc.sql("""
                SELECT id, project_id, reserved, delivered, rate, state, reserved_at
                FROM campaign_visit_batches WHERE id = :id""").param("id", id)
                .query(VisitBatchRepository::batch).optional();
    }

    /** Batches not finished ({@code sending} or {@code settled}), oldest first. */
    List<Batch> open() {
        return jdbc.sql("""
                SELECT id, project_id, reserved, delivered, rate, state, reserved_at
                FROM campaign_visit_batches WHERE state IN ('sending', 'settled') ORDER BY reserved_at, id""")
                .query(VisitBatchRepository::batch).list();
    }

    /** The stored rate as the pricing curve writes it: at least 2 decimals, no trailing zeros beyond. */
    private static BigDecimal rate(BigDecimal stored) {
        BigDecimal r = stored.stripTrailingZeros();
        return r.scale() < 2 ? r.setScale(2) : r;
    }

    private static Batch batch(ResultSet rs, int row) throws SQLException {
        return new Batch(rs.getObject("id", UUID.class), rs.getObject("project_id", UUID.class), rs.getInt("reserved"),
                rs.getInt("delivered"), rate(rs.getBigDecimal("rate")), rs.getString("state"),
                rs.getObject("reserved_at", OffsetDateTime.class).toInstant());
    }
}
