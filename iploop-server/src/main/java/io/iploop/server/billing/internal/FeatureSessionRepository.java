package io.iploop.server.billing.internal;

import io.iploop.server.billing.FeatureSession;
import io.iploop.server.billing.TargetingRates;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code billing_feature_sessions} (docs/billing.md#time-based-targeting). Every method
 * joins the caller's transaction; {@link #lockOpen} and {@link #lock} take the row lock that orders
 * the gateway's reports and the charging job. Thread-safe.
 */
@Repository
class FeatureSessionRepository {

    private static final String COLUMNS = """
            id, user_id, feature, rate_per_hour, started_at, last_used_at, closed_at, close_reason,
            minutes_charged, charged_usd, settled""";

    /** A stored row. */
    record Row(UUID id, UUID userId, String feature, BigDecimal ratePerHour, Instant startedAt, Instant lastUsedAt,
            @Nullable Instant closedAt, @Nullable String closeReason, long minutesCharged, BigDecimal chargedUsd,
            boolean settled) {

        /** Minutes from the start up to and including the minute of the last use (at least 1). */
        long minutesUsed() {
            return Duration.between(startedAt, lastUsedAt).toMinutes() + 1;
        }

        FeatureSession view() {
            return new FeatureSession(id, feature, ratePerHour, startedAt, lastUsedAt, closedAt, closeReason, minutesUsed(),
                    minutesCharged, chargedUsd,
                    settled ? chargedUsd : chargedUsd.add(TargetingRates.cost(ratePerHour, minutesUsed())
                            .subtract(TargetingRates.cost(ratePerHour, minutesCharged)).max(BigDecimal.ZERO)));
        }
    }

    private final JdbcClient jdbc;

    FeatureSessionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The account's open session, locked until the transaction ends. */
    Optional<Row> lockOpen(UUID userId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM billing_feature_sessions WHERE user_id = :u AND closed_at IS NULL FOR UPDATE")
                .param("u", userId).query(FeatureSessionRepository::row).optional();
    }

    /** The account's open session, not locked. */
    Optional<Row> open(UUID userId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM billing_feature_sessions WHERE user_id = :u AND closed_at IS NULL")
                .param("u", userId).query(FeatureSessionRepository::row).optional();
    }

    /** Whether the account ever had a session (it pays targeting with credits). */
    boolean any(UUID userId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM billing_feature_sessions WHERE user_id = :u)")
                .param("u", userId).query(Boolean.class).single();
    }

    /** The account's sessions, newest first. */
    List<Row> byUser(UUID userId, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM billing_feature_sessions WHERE user_id = :u ORDER BY started_at DESC LIMIT :limit")
                .param("u", userId).param("limit", limit).query(FeatureSessionRepository::row).list();
    }

    /** Sessions the charging job still has to look at (open, or closed with minutes unpaid). */
    List<UUID> unsettled() {
        return jdbc.sql("SELECT id FROM billing_feature_sessions WHERE NOT settled ORDER BY started_at")
                .query(UUID.class).list();
    }

    /** One session, locked until the transaction ends; skipped (empty) when it is settled. */
    Optional<Row> lock(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM billing_feature_sessions WHERE id = :id AND NOT settled FOR UPDATE")
                .param("id", id).query(FeatureSessionRepository::row).optional();
    }

    void insert(UUID id, UUID userId, String feature, BigDecimal ratePerHour, Instant at) {
        jdbc.sql("""
                INSERT INTO billing_feature_sessions (id, user_id, feature, rate_per_hour, started_at, last_used_at)
                VALUES (:id, :u, :feature, :rate, :at, :at)""")
                .param("id", id).param("u", userId).param("feature", feature).param("rate", ratePerHour)
                .param("at", Timestamp.from(at)).update();
    }

    /** Moves the last use forward (never back) and raises the feature and rate. */
    void touch(UUID id, Instant lastUsed, String feature, BigDecimal ratePerHour) {
        jdbc.sql("""
                UPDATE billing_feature_sessions SET last_used_at = greatest(last_used_at, :at),
                    feature = :feature, rate_per_hour = :rate
                WHERE id = :id""")
                .param("id", id).param("at", Timestamp.from(lastUsed)).param("feature", feature).param("rate", ratePerHour)
                .update();
    }

    void charged(UUID id, long minutesCharged, BigDecimal chargedUsd) {
        jdbc.sql("UPDATE billing_feature_sessions SET minutes_charged = :m, charged_usd = :usd WHERE id = :id")
                .param("id", id).param("m", minutesCharged).param("usd", chargedUsd).update();
    }

    /** Closes the session ({@code settled}: every minute is charged, the job is done with it). */
    void close(UUID id, Instant at, String reason, boolean settled) {
        jdbc.sql("""
                UPDATE billing_feature_sessions SET closed_at = coalesce(closed_at, :at),
                    close_reason = coalesce(close_reason, :reason), settled = :settled
                WHERE id = :id""")
                .param("id", id).param("at", Timestamp.from(at)).param("reason", reason).param("settled", settled)
                .update();
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        Timestamp closed = rs.getTimestamp("closed_at");
        return new Row(rs.getObject("id", UUID.class), rs.getObject("user_id", UUID.class), rs.getString("feature"),
                rs.getBigDecimal("rate_per_hour"), rs.getTimestamp("started_at").toInstant(),
                rs.getTimestamp("last_used_at").toInstant(), closed == null ? null : closed.toInstant(),
                rs.getString("close_reason"), rs.getLong("minutes_charged"), rs.getBigDecimal("charged_usd"),
                rs.getBoolean("settled"));
    }
}
