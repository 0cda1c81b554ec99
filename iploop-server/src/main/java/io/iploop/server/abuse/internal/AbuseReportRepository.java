package io.iploop.server.abuse.internal;

import io.iploop.server.abuse.AbuseReport;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code abuse_reports}. Thread-safe. */
@Repository
class AbuseReportRepository {

    private static final String COLUMNS = "id, reporter_email, target, window_from, window_to, description, status, "
            + "created_at, resolved_at, resolved_by, resolution, quarantined_nodes";

    private final JdbcClient jdbc;

    AbuseReportRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    AbuseReport insert(String email, String target, Instant from, Instant to, String description, @Nullable String ip) {
        return jdbc.sql("INSERT INTO abuse_reports (reporter_email, target, window_from, window_to, description, reporter_ip) "
                        + "VALUES (:email, :target, :from, :to, :description, CAST(:ip AS inet)) RETURNING " + COLUMNS)
                .param("email", email).param("target", target).param("from", Timestamp.from(from))
                .param("to", Timestamp.from(to)).param("description", description).param("ip", ip)
                .query(AbuseReportRepository::map).single();
    }

    /**
     * Serialises the public intake until the caller's transaction ends (a transaction-scoped advisory
     * lock), so the global bounds are checked and the report inserted without a race between
     * instances. Requires a transaction.
     */
    void lockIntake() {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('iploop.abuse_reports.intake'))").query((rs, n) -> 1).list();
    }

    /** What the intake's global bounds look at: open reports now, and reports created in the last hour. */
    IntakeLoad intakeLoad() {
        return jdbc.sql("""
                        SELECT (SELECT count(*) FROM abuse_reports WHERE status = 'open') AS open,
                               (SELECT count(*) FROM abuse_reports WHERE created_at > now() - interval '1 hour') AS recent,
                               (SELECT min(created_at) FROM abuse_reports WHERE created_at > now() - interval '1 hour')
                                   AS oldest_recent""")
                .query((rs, n) -> {
                    Timestamp oldest = rs.getTimestamp("oldest_recent");
                    return new IntakeLoad(rs.getLong("open"), rs.getLong("recent"),
                            oldest == null ? null : oldest.toInstant());
                })
                .single();
    }

    /**
     * @param open reports with status {@code open}
     * @param lastHour reports created within the last hour
     * @param oldestInLastHour the oldest of those, or null when there is none
     */
    record IntakeLoad(long open, long lastHour, @Nullable Instant oldestInLastHour) {}

    /** Reports created at or after {@code since}, oldest first, at most {@code limit}. */
    List<AbuseReport> filedSince(Instant since, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM abuse_reports WHERE created_at >= :since ORDER BY created_at, id LIMIT :limit")
                .param("since", since.atOffset(java.time.ZoneOffset.UTC)).param("limit", limit)
                .query(AbuseReportRepository::map).list();
    }

    List<AbuseReport> list(boolean openOnly, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM abuse_reports" + (openOnly ? " WHERE status = 'open'" : "")
                        + " ORDER BY created_at DESC, id LIMIT :limit")
                .param("limit", limit).query(AbuseReportRepository::map).list();
    }

    Optional<AbuseReport> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM abuse_reports WHERE id = :id").param("id", id)
                .query(AbuseReportRepository::map).optional();
    }

    /** Resolves an open report; empty when it is unknown or no longer open. */
    Optional<AbuseReport> resolve(UUID id, UUID adminId, String note, int quarantined) {
        return jdbc.sql("UPDATE abuse_reports SET status = 'resolved', resolved_at = now(), resolved_by = :admin, "
                        + "resolution = :note, quarantined_nodes = :n WHERE id = :id AND status = 'open' RETURNING " + COLUMNS)
                .param("id", id).param("admin", adminId).param("note", note).param("n", quarantined)
                .query(AbuseReportRepository::map).optional();
    }

    private static AbuseReport map(ResultSet rs, int row) throws SQLException {
        Timestamp resolved = rs.getTimestamp("resolved_at");
        return new AbuseReport(rs.getObject("id", UUID.class), rs.getString("reporter_email"), rs.getString("target"),
                rs.getTimestamp("window_from").toInstant(), rs.getTimestamp("window_to").toInstant(),
                rs.getString("description"), rs.getString("status"), rs.getTimestamp("created_at").toInstant(),
                resolved == null ? null : resolved.toInstant(), rs.getObject("resolved_by", UUID.class),
                rs.getString("resolution"), rs.getInt("quarantined_nodes"));
    }
}
