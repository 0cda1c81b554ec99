package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.UserSession;
import io.iploop.server.platform.LoginSessions;
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
 * SQL for {@code user_sessions} (docs/product/accounts.md#login-sessions), and the per-request session check of the security
 * filter ({@link LoginSessions}). The check is one primary-key read joined to the user (no cache,
 * so an ended session is refused at once on every instance); {@code last_active_at} is written only
 * when it is more than {@link #ACTIVITY_RESOLUTION} old, so an active session costs one write a
 * minute, not one per request. Thread-safe.
 */
@Repository
class SessionRepository implements LoginSessions {

    /** How stale {@code last_active_at} may get before a request refreshes it. */
    static final Duration ACTIVITY_RESOLUTION = Duration.ofMinutes(1);

    private static final String COLUMNS = """
            id, host(ip_address) AS ip, user_agent, device_type, location, two_factor, created_at, last_active_at,
            expires_at""";
    private static final String OPEN = "ended_at IS NULL AND expires_at > now()";

    private final JdbcClient jdbc;

    SessionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID id, UUID userId, String tokenHash, @Nullable String ip, @Nullable String userAgent,
            String deviceType, @Nullable String location, boolean twoFactor, Instant expiresAt) {
        jdbc.sql("""
                        INSERT INTO user_sessions (id, user_id, token_hash, ip_address, user_agent, device_type, location,
                                                   two_factor, expires_at)
                        VALUES (:id, :userId, :tokenHash, CAST(:ip AS inet), :userAgent, :deviceType, :location,
                                :twoFactor, :expiresAt)""")
                .param("id", id).param("userId", userId).param("tokenHash", tokenHash).param("ip", ip)
                .param("userAgent", userAgent).param("deviceType", deviceType).param("location", location)
                .param("twoFactor", twoFactor).param("expiresAt", Timestamp.from(expiresAt))
                .update();
    }

    @Override
    public Optional<SessionState> check(UUID sessionId, UUID userId) {
        Optional<OpenRow> open = jdbc.sql("""
                        SELECT s.last_active_at, now() AS now, u.must_change_password
                        FROM user_sessions s JOIN users u ON u.id = s.user_id
                        WHERE s.id = :id AND s.user_id = :userId AND s.ended_at IS NULL AND s.expires_at > now()""")
                .param("id", sessionId).param("userId", userId)
                .query((rs, n) -> new OpenRow(rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant(),
                        rs.getBoolean(3)))
                .optional();
        open.filter(row -> row.lastActiveAt().plus(ACTIVITY_RESOLUTION).isBefore(row.now()))
                .ifPresent(row -> jdbc.sql("UPDATE user_sessions SET last_active_at = now() WHERE id = :id")
                        .param("id", sessionId).update());
        return open.map(row -> new SessionState(row.mustChangePassword()));
    }

    /** The columns the session check reads; {@code now} is the database's clock. */
    private record OpenRow(Instant lastActiveAt, Instant now, boolean mustChangePassword) {}

    /** Open sessions of the account, newest first. */
    List<UserSession> findOpen(UUID userId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM user_sessions WHERE user_id = :userId AND " + OPEN
                        + " ORDER BY created_at DESC, id")
                .param("userId", userId).query(SessionRepository::map).list();
    }

    /**
     * Ends one open session of the account. @return true when it was open and belonged to {@code userId}
     */
    boolean end(UUID userId, UUID sessionId, String reason) {
        return jdbc.sql("UPDATE user_sessions SET ended_at = now(), end_reason = :reason"
                        + " WHERE id = :id AND user_id = :userId AND " + OPEN)
                .param("id", sessionId).param("userId", userId).param("reason", reason).update() == 1;
    }

    /** Ends every open session of the account except {@code keep}. @return the ids ended */
    List<UUID> endAll(UUID userId, @Nullable UUID keep, String reason) {
        return jdbc.sql("""
                        UPDATE user_sessions SET ended_at = now(), end_reason = :reason
                        WHERE user_id = :userId AND ended_at IS NULL AND expires_at > now()
                          AND (CAST(:keep AS uuid) IS NULL OR id <> :keep)
                        RETURNING id""")
                .param("userId", userId).param("keep", keep).param("reason", reason)
                .query((rs, n) -> rs.getObject(1, UUID.class)).list();
    }

    /** Removes sessions that expired or ended more than a week ago. */
    int deleteOld() {
        return jdbc.sql("""
                        DELETE FROM user_sessions
                        WHERE expires_at < now() - interval '7 days' OR ended_at < now() - interval '7 days'""")
                .update();
    }

    private static UserSession map(ResultSet rs, int row) throws SQLException {
        return new UserSession(
                rs.getObject("id", UUID.class),
                rs.getString("ip"),
                rs.getString("user_agent"),
                rs.getString("device_type"),
                rs.getString("location"),
                rs.getBoolean("two_factor"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("last_active_at").toInstant(),
                rs.getTimestamp("expires_at").toInstant());
    }
}
