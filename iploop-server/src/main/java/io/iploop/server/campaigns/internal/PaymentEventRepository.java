package io.iploop.server.campaigns.internal;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code campaign_payment_events} (docs/campaigns.md#funding). The event id is the primary
 * key: {@link #insert} of an id already stored (or being stored by a concurrent transaction, which
 * it waits for) inserts nothing. Thread-safe.
 */
@Repository
class PaymentEventRepository {

    /** A stored event as the admin sees it. */
    record PaymentEventRow(String eventId, String eventType, String status, @Nullable String reason,
            @Nullable BigDecimal amount, @Nullable String currency, @Nullable String payerEmail,
            @Nullable String reference, @Nullable UUID userId, @Nullable UUID transactionId,
            @Nullable UUID assignedBy, Instant receivedAt, @Nullable Instant resolvedAt) {}

    private static final String COLUMNS = """
            event_id, event_type, status, reason, amount, currency, payer_email, reference, user_id, transaction_id,
            assigned_by, received_at, resolved_at""";

    private final JdbcClient jdbc;

    PaymentEventRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a new event as {@code status}; false when the id was already stored (nothing written). */
    boolean insert(String eventId, String eventType, String status, @Nullable String reason,
            @Nullable BigDecimal amount, @Nullable String currency, @Nullable String payerEmail,
            @Nullable String reference, String payload) {
        return jdbc.sql("""
                INSERT INTO campaign_payment_events (event_id, event_type, status, reason, amount, currency, payer_email,
                                                     reference, payload)
                VALUES (:id, :type, :status, :reason, :amount, :currency, :email, :reference, :payload)
                ON CONFLICT (event_id) DO NOTHING""")
                .param("id", eventId).param("type", eventType).param("status", status).param("reason", reason)
                .param("amount", amount).param("currency", currency).param("email", payerEmail)
                .param("reference", reference).param("payload", payload)
                .update() == 1;
    }

    /** Marks the event credited to {@code userId} by ledger transaction {@code transactionId}. */
    void markCredited(String eventId, UUID userId, UUID transactionId, @Nullable UUID assignedBy) {
        jdbc.sql("""
                UPDATE campaign_payment_events
                   SET status = 'credited', reason = NULL, user_id = :user, transaction_id = :tx, assigned_by = :admin,
                       resolved_at = now()
                 WHERE event_id = :id""")
                .param("id", eventId).param("user", userId).param("tx", transactionId).param("admin", assignedBy)
                .update();
    }

    /** Marks a refund or chargeback event as having taken money back from {@code userId}'s wallet by {@code transactionId}. */
    void markReversed(String eventId, UUID userId, UUID transactionId) {
        jdbc.sql("""
                UPDATE campaign_payment_events
                   SET status = 'reversed', reason = NULL, user_id = :user, transaction_id = :tx, resolved_at = now()
                 WHERE event_id = :id""")
                .param("id", eventId).param("user", userId).param("tx", transactionId).update();
    }

    /** Marks the event rejected with {@code reason} (it moved no money). */
    void markRejected(String eventId, String reason) {
        jdbc.sql("""
                UPDATE campaign_payment_events
                   SET status = 'rejected', reason = :reason, user_id = NULL, transaction_id = NULL, resolved_at = now()
                 WHERE event_id = :id""")
                .param("id", eventId).param("reason", reason).update();
    }

    /** Records why the event could not be credited yet (it stays unmatched). */
    void markUnmatched(String eventId, String reason) {
        jdbc.sql("UPDATE campaign_payment_events SET status = 'unmatched', reason = :reason WHERE event_id = :id")
                .param("id", eventId).param("reason", reason).update();
    }

    /** The event, locked for the rest of the transaction. */
    Optional<PaymentEventRow> lock(String eventId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_payment_events WHERE event_id = :id FOR UPDATE")
                .param("id", eventId).query(PaymentEventRepository::row).optional();
    }

    /** Events newest first, of one status or of all when {@code status} is null; at most {@code limit}. */
    List<PaymentEventRow> list(@Nullable String status, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_payment_events"
                        + " WHERE (CAST(:status AS varchar) IS NULL OR status = :status)"
                        + " ORDER BY received_at DESC, event_id LIMIT :limit")
                .param("status", status).param("limit", limit).query(PaymentEventRepository::row).list();
    }

    private static PaymentEventRow row(ResultSet rs, int n) throws SQLException {
        OffsetDateTime resolved = rs.getObject("resolved_at", OffsetDateTime.class);
        return new PaymentEventRow(rs.getString("event_id"), rs.getString("event_type"), rs.getString("status"),
                rs.getString("reason"), rs.getBigDecimal("amount"), rs.getString("currency"), rs.getString("payer_email"),
                rs.getString("reference"), rs.getObject("user_id", UUID.class), rs.getObject("transaction_id", UUID.class),
                rs.getObject("assigned_by", UUID.class), rs.getObject("received_at", OffsetDateTime.class).toInstant(),
                resolved == null ? null : resolved.toInstant());
    }
}
