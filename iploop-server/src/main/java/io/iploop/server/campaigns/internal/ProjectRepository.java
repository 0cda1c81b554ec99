package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.Project;
import io.iploop.server.campaigns.ProjectStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code campaign_projects}. Queries on an account's projects take the account's id, so
 * another account's project is simply not found. {@code settings} is a {@code json} column written
 * and read as text, so it comes back exactly as written. Thread-safe.
 */
@Repository
class ProjectRepository {

    private static final String COLUMNS = """
            id, user_id, name, status, status_reason, daily_limit, total_target, expires_at, settings::text AS settings,
            visits_day, visits_today, visits_total, created_at, updated_at""";

    /** The counters of one project, read under its row lock. */
    record Counters(UUID userId, ProjectStatus status, int dailyLimit, long totalTarget, @Nullable Instant expiresAt,
            @Nullable LocalDate visitsDay, int visitsToday, long visitsTotal) {

        /** Today's visits as of {@code today}: 0 on a new day. */
        int todayOn(LocalDate today) {
            return today.equals(visitsDay) ? visitsToday : 0;
        }
    }

    private final JdbcClient jdbc;

    ProjectRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Serialises creation per account for the rest of the transaction (the per-account cap). */
    void lockUser(UUID userId) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .param("key", "campaign_projects:" + userId).query().singleRow();
    }

    int countByUser(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM campaign_projects WHERE user_id = :u").param("u", userId)
                .query(Integer.class).single();
    }

    List<Project> list(UUID userId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_projects WHERE user_id = :u ORDER BY created_at, id")
                .param("u", userId).query(ProjectRepository::project).list();
    }

    Optional<Project> find(UUID userId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_projects WHERE user_id = :u AND id = :id")
                .param("u", userId).param("id", id).query(ProjectRepository::project).optional();
    }

    Optional<Project> findById(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_projects WHERE id = :id")
                .param("id", id).query(ProjectRepository::project).optional();
    }

    /** The account's project, its row locked for the rest of the transaction. */
    Optional<Project> lock(UUID userId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_projects WHERE user_id = :u AND id = :id FOR UPDATE")
                .param("u", userId).param("id", id).query(ProjectRepository::project).optional();
    }

    /** Any project by id, its row locked for the rest of the transaction. */
    Optional<Project> lockById(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_projects WHERE id = :id FOR UPDATE")
                .param("id", id).query(ProjectRepository::project).optional();
    }

    Optional<Counters> lockCounters(UUID id) {
        return jdbc.sql("""
                SELECT user_id, status, daily_limit, total_target, expires_at, visits_day, visits_today, visits_total
                FROM campaign_projects WHERE id = :id FOR UPDATE""")
                .param("id", id)
                .query((rs, n) -> new Counters(rs.getObject("user_id", UUID.class), status(rs.getString("status")),
                        rs.getInt("daily_limit"), rs.getLong("total_target"), instant(rs, "expires_at"),
                        rs.getObject("visits_day", LocalDate.class), rs.getInt("visits_today"), rs.getLong("visits_total")))
                .optional();
    }

    void insert(UUID id, UUID userId, String name, ProjectStatus status, int dailyLimit, long totalTarget,
            @Nullable Instant expiresAt, String settings) {
        jdbc.sql("""
                INSERT INTO campaign_projects (id, user_id, name, status, daily_limit, total_target, expires_at, settings)
                VALUES (:id, :u, :name, :status, :daily, :total, :expires, CAST(:settings AS json))""")
                .param("id", id).param("u", userId).param("name", name).param("status", status.value())
                .param("daily", dailyLimit).param("total", totalTarget).param("expires", utc(expiresAt))
                .param("settings", settings).update();
    }

    /** Replaces the editable fields; the status reason is cleared when {@code statusChanged}. */
    void update(UUID id, String name, ProjectStatus status, boolean statusChanged, int dailyLimit, long totalTarget,
            @Nullable Instant expiresAt, String settings) {
        jdbc.sql("""
                UPDATE campaign_projects SET name = :name, status = :status,
                       status_reason = CASE WHEN :changed THEN NULL ELSE status_reason END,
                       daily_limit = :daily, total_target = :total, expires_at = :expires,
                       settings = CAST(:settings AS json), updated_at = now()
                WHERE id = :id""")
                .param("id", id).param("name", name).param("status", status.value()).param("changed", statusChanged)
                .param("daily", dailyLimit).param("total", totalTarget).param("expires", utc(expiresAt))
                .param("settings", settings).update();
    }

    void setStatus(UUID id, ProjectStatus status, @Nullable String reason) {
        jdbc.sql("UPDATE campaign_projects SET status = :s, status_reason = :r, updated_at = now() WHERE id = :id")
                .param("id", id).param("s", status.value()).param("r", reason).update();
    }

    void setCounters(UUID id, LocalDate day, int today, long total) {
        jdbc.sql("""
                UPDATE campaign_projects SET visits_day = :day, visits_today = :today, visits_total = :total
                WHERE id = :id""")
                .param("id", id).param("day", day).param("today", today).param("total", total).update();
    }

    boolean delete(UUID userId, UUID id) {
        return jdbc.sql("DELETE FROM campaign_projects WHERE user_id = :u AND id = :id")
                .param("u", userId).param("id", id).update() > 0;
    }

    /** Active, unexpired projects below their total target, oldest first. */
    List<Project> runnable(Instant now) {
        return jdbc.sql("SELECT " + COLUMNS + """
                 FROM campaign_projects
                WHERE status = 'active' AND (expires_at IS NULL OR expires_at > :now)
                  AND (total_target = 0 OR visits_total < total_target)
                ORDER BY created_at, id""")
                .param("now", utc(now)).query(ProjectRepository::project).list();
    }

    /** Ids of active or paused projects whose expiry has passed. */
    List<UUID> expired(Instant now) {
        return jdbc.sql("""
                SELECT id FROM campaign_projects
                WHERE status IN ('active', 'paused') AND expires_at IS NOT NULL AND expires_at <= :now""")
                .param("now", utc(now)).query(UUID.class).list();
    }

    /** The account's active or paused projects. */
    List<Project> live(UUID userId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM campaign_projects WHERE user_id = :u AND status IN ('active', 'paused')")
                .param("u", userId).query(ProjectRepository::project).list();
    }

    private static Project project(ResultSet rs, int n) throws SQLException {
        return new Project(rs.getObject("id", UUID.class), rs.getObject("user_id", UUID.class), rs.getString("name"),
                status(rs.getString("status")), rs.getString("status_reason"), rs.getInt("daily_limit"),
                rs.getLong("total_target"), instant(rs, "expires_at"), rs.getString("settings"),
                rs.getInt("visits_today"), rs.getLong("visits_total"), nonNull(instant(rs, "created_at")),
                nonNull(instant(rs, "updated_at")));
    }

    static ProjectStatus status(String value) {
        return ProjectStatus.valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }

    static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static Instant nonNull(@Nullable Instant at) {
        if (at == null) {
            throw new IllegalStateException("NOT NULL column read as null");
        }
        return at;
    }

    static @Nullable OffsetDateTime utc(@Nullable Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }
}
