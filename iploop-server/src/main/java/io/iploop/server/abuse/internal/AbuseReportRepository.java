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
