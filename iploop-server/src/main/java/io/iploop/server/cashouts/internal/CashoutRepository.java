package io.iploop.server.cashouts.internal;

import io.iploop.server.cashouts.Cashout;
import io.iploop.server.cashouts.CashoutMethod;
import io.iploop.server.cashouts.CashoutSource;
import io.iploop.server.cashouts.CashoutStatus;
import io.iploop.server.cashouts.MethodConfig;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code cashout_requests} and {@code cashout_methods_config}. Thread-safe. */
@Repository
class CashoutRepository {

    /** A stored cash-out with the columns the view hides. */
    record Row(Cashout view, String detailsEncrypted, @Nullable String codeHash, @Nullable Instant codeExpiresAt,
            int codeAttempts, @Nullable String providerReference) {

        UUID id() {
            return view.id();
        }

        UUID userId() {
            return view.userId();
        }

        CashoutStatus status() {
            return view.status();
        }
    }

    /** What {@link #insert} stores. */
    record NewRow(UUID id, UUID userId, CashoutMethod method, long amountCredits, BigDecimal amountUsd,
            BigDecimal feeUsd, BigDecimal netAmountUsd, String currency, String detailsEncrypted, String detailsMasked,
            @Nullable UUID savedPaymentMethodId, boolean auto, @Nullable LocalDate autoDay, @Nullable String codeHash,
            @Nullable Instant codeExpiresAt, CashoutSource source) {}

    private final JdbcClient jdbc;

    CashoutRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<MethodConfig> methods() {
        return jdbc.sql("SELECT * FROM cashout_methods_config ORDER BY min_amount_usd, method")
                .query(CashoutRepository::mapMethod).list();
    }

    Optional<MethodConfig> method(CashoutMethod method) {
        return jdbc.sql("SELECT * FROM cashout_methods_config WHERE method = :m").param("m", method.dbValue())
                .query(CashoutRepository::mapMethod).optional();
    }

    /**
     * Inserts a cash-out in {@code awaiting_confirmation}.
     *
     * @return false when {@code autoDay} is set and the user already has an auto-cash-out that day
     */
    boolean insert(NewRow r) {
        return jdbc.sql("""
                        INSERT INTO cashout_requests (id, user_id, method, amount_credits, amount_usd, fee_usd,
                            net_amount_usd, currency, payment_details_encrypted, payment_details_masked,
                            saved_payment_method_id, status, auto, auto_day, code_hash, code_expires_at, source)
                        VALUES (:id, :userId, :method, :credits, :usd, :fee, :net, :currency, :enc, :masked, :saved,
                            'awaiting_confirmation', :auto, :autoDay, :codeHash, :codeExpiresAt, :source)
                        ON CONFLICT (user_id, auto_day) WHERE auto_day IS NOT NULL DO NOTHING
                        """)
                .param("id", r.id()).param("userId", r.userId()).param("method", r.method().dbValue())
                .param("credits", r.amountCredits()).param("usd", r.amountUsd()).param("fee", r.feeUsd())
                .param("net", r.netAmountUsd()).param("currency", r.currency()).param("enc", r.detailsEncrypted())
                .param("masked", r.detailsMasked()).param("saved", r.savedPaymentMethodId()).param("auto", r.auto())
                .param("autoDay", r.autoDay()).param("codeHash", r.codeHash())
                .param("codeExpiresAt", r.codeExpiresAt() == null ? null : Timestamp.from(r.codeExpiresAt()))
                .param("source", r.source().dbValue())
                .update() == 1;
    }

    /** The cash-out, locked until the transaction ends; scoped to {@code userId} when given. */
    Optional<Row> lock(UUID id, @Nullable UUID userId) {
        return jdbc.sql("SELECT * FROM cashout_requests WHERE id = :id AND (CAST(:userId AS uuid) IS NULL OR user_id = :userId) FOR UPDATE")
                .param("id", id).param("userId", userId).query(CashoutRepository::map).optional();
    }

    Optional<Row> find(UUID id, @Nullable UUID userId) {
        return jdbc.sql("SELECT * FROM cashout_requests WHERE id = :id AND (CAST(:userId AS uuid) IS NULL OR user_id = :userId)")
                .param("id", id).param("userId", userId).query(CashoutRepository::map).optional();
    }

    List<Cashout> history(UUID userId, int offset, int limit) {
        return jdbc.sql("""
                        SELECT * FROM cashout_requests WHERE user_id = :userId
                        ORDER BY created_at DESC, id DESC OFFSET :offset LIMIT :limit""")
                .param("userId", userId).param("offset", offset).param("limit", limit)
                .query(CashoutRepository::map).list().stream().map(Row::view).toList();
    }

    long count(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM cashout_requests WHERE user_id = :userId").param("userId", userId)
                .query(Long.class).single();
    }

    List<Cashout> queue(@Nullable CashoutStatus status, int limit) {
        return jdbc.sql("""
                        SELECT * FROM cashout_requests WHERE (CAST(:status AS varchar) IS NULL OR status = :status)
                        ORDER BY created_at, id LIMIT :limit""")
                .param("status", status == null ? null : status.dbValue()).param("limit", limit)
                .query(CashoutRepository::map).list().stream().map(Row::view).toList();
    }

    long completedCount(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM cashout_requests WHERE user_id = :userId AND status = 'completed'")
                .param("userId", userId).query(Long.class).single();
    }

    /** Ids of approved cash-outs, oldest first. */
    List<UUID> approvedIds(int limit) {
        return jdbc.sql("SELECT id FROM cashout_requests WHERE status = 'approved' ORDER BY created_at, id LIMIT :limit")
                .param("limit", limit).query(UUID.class).list();
    }

    /** Ids of processing cash-outs of {@code provider} whose next attempt is due. */
    List<UUID> dueIds(String provider, Instant now, int limit) {
        return jdbc.sql("""
                        SELECT id FROM cashout_requests
                        WHERE status = 'processing' AND provider = :provider AND next_attempt_at <= :now
                        ORDER BY next_attempt_at, id LIMIT :limit""")
                .param("provider", provider).param("now", Timestamp.from(now)).param("limit", limit)
                .query(UUID.class).list();
    }

    void updateStatus(UUID id, CashoutStatus status) {
        jdbc.sql("UPDATE cashout_requests SET status = :status, updated_at = now() WHERE id = :id")
                .param("id", id).param("status", status.dbValue()).update();
    }

    void confirmed(UUID id) {
        jdbc.sql("""
                UPDATE cashout_requests SET confirmed_at = now(), code_hash = NULL, code_expires_at = NULL
                WHERE id = :id""").param("id", id).update();
    }

    void codeAttemptFailed(UUID id) {
        jdbc.sql("UPDATE cashout_requests SET code_attempts = code_attempts + 1 WHERE id = :id").param("id", id).update();
    }

    void setRequiresReview(UUID id, boolean requiresReview) {
        jdbc.sql("UPDATE cashout_requests SET requires_review = :r WHERE id = :id")
                .param("id", id).param("r", requiresReview).update();
    }

    void reviewed(UUID id, @Nullable UUID reviewerId, @Nullable String note) {
        jdbc.sql("""
                UPDATE cashout_requests SET reviewed_by = :reviewer, reviewed_at = now(),
                    admin_notes = COALESCE(:note, admin_notes) WHERE id = :id""")
                .param("id", id).param("reviewer", reviewerId).param("note", note).update();
    }

    void startedProcessing(UUID id, String provider, Instant nextAttemptAt) {
        jdbc.sql("""
                UPDATE cashout_requests SET provider = :provider, processed_at = now(), next_attempt_at = :next
                WHERE id = :id""")
                .param("id", id).param("provider", provider).param("next", Timestamp.from(nextAttemptAt)).update();
    }

    void providerAccepted(UUID id, String reference, Instant nextAttemptAt) {
        jdbc.sql("""
                UPDATE cashout_requests SET provider_reference = :ref, next_attempt_at = :next, last_error = NULL
                WHERE id = :id""")
                .param("id", id).param("ref", reference).param("next", Timestamp.from(nextAttemptAt)).update();
    }

    void attemptFailed(UUID id, String error, Instant nextAttemptAt) {
        jdbc.sql("""
                UPDATE cashout_requests SET payout_attempts = payout_attempts + 1, last_error = :error,
                    next_attempt_at = :next WHERE id = :id""")
                .param("id", id).param("error", error).param("next", Timestamp.from(nextAttemptAt)).update();
    }

    void finished(UUID id, @Nullable String transactionId, @Nullable String error) {
        jdbc.sql("""
                UPDATE cashout_requests SET completed_at = now(), next_attempt_at = NULL,
                    transaction_id = COALESCE(:tx, transaction_id), last_error = COALESCE(:error, last_error)
                WHERE id = :id""")
                .param("id", id).param("tx", transactionId).param("error", error).update();
    }

    private static MethodConfig mapMethod(ResultSet rs, int n) throws SQLException {
        // Read as an object: wasNull() would describe whichever column was read last.
        Integer auto = rs.getObject("auto_approve_after", Integer.class);
        return new MethodConfig(CashoutMethod.parse(rs.getString("method")).orElseThrow(),
                rs.getBigDecimal("min_amount_usd"), rs.getBigDecimal("fee_usd"), rs.getBigDecimal("fee_percent"),
                rs.getString("currency"), rs.getInt("processing_time_hours"), rs.getBoolean("is_active"),
                rs.getBoolean("requires_verification"), auto);
    }

    private static Row map(ResultSet rs, int n) throws SQLException {
        Cashout view = new Cashout(rs.getObject("id", UUID.class), rs.getObject("user_id", UUID.class),
                CashoutMethod.parse(rs.getString("method")).orElseThrow(),
                CashoutStatus.fromDb(rs.getString("status")), rs.getLong("amount_credits"),
                rs.getBigDecimal("amount_usd"), rs.getBigDecimal("fee_usd"), rs.getBigDecimal("net_amount_usd"),
                rs.getString("currency"), rs.getString("payment_details_masked"), rs.getBoolean("requires_review"),
                rs.getBoolean("auto"), rs.getString("admin_notes"), rs.getString("provider"),
                rs.getInt("payout_attempts"), instant(rs, "next_attempt_at"), rs.getString("last_error"),
                rs.getString("transaction_id"), instant(rs, "created_at"), instant(rs, "updated_at"),
                instant(rs, "confirmed_at"), instant(rs, "reviewed_at"), instant(rs, "completed_at"),
                CashoutSource.fromDb(rs.getString("source")));
        return new Row(view, rs.getString("payment_details_encrypted"), rs.getString("code_hash"),
                instant(rs, "code_expires_at"), rs.getInt("code_attempts"), rs.getString("provider_reference"));
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
