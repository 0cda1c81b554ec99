package io.iploop.server.pool.internal;

import io.iploop.server.pool.AdminToken;
import io.iploop.server.pool.PoolPlan;
import io.iploop.server.pool.PoolSubscription;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL of the pool's tables (pool_upstreams, pool_plans, pool_subscriptions, pool_admin_tokens). Thread-safe. */
@Repository
class PoolRepository {

    /** A stored upstream row; {@code passwordSealed} as stored. */
    record UpstreamRow(int port, String scheme, String host, int upstreamPort, @Nullable String username,
            @Nullable String passwordSealed, Instant updatedAt) {}

    private static final String PLAN_COLUMNS = "id, name, max_threads, requests_per_second, bytes_per_second_per_socket, "
            + "bytes_per_second_total, connections_per_ip, requests_per_second_per_ip, monthly_quota_bytes, validity_days, "
            + "price, currency";
    private static final String SUB_COLUMNS = "user_id, plan_id, ports, period_start, expires_at, banned_at, ban_reason";
    private static final String TOKEN_COLUMNS = "id, name, scopes, created_by, created_at, expires_at, revoked_at, last_used_at";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;

    PoolRepository(JdbcClient jdbc, JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
    }

    /** Serialises imports and deletions (transaction-scoped advisory lock). */
    void lockUpstreams() {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('pool_upstreams'))").query().singleRow();
    }

    List<UpstreamRow> upstreams() {
        return jdbc.sql("SELECT port, scheme, host, upstream_port, username, password_sealed, updated_at FROM pool_upstreams ORDER BY port")
                .query((rs, n) -> new UpstreamRow(rs.getInt("port"), rs.getString("scheme"), rs.getString("host"),
                        rs.getInt("upstream_port"), rs.getString("username"), rs.getString("password_sealed"),
                        rs.getTimestamp("updated_at").toInstant()))
                .list();
    }

    Optional<UpstreamRow> upstream(int port) {
        return jdbc.sql("SELECT port, scheme, host, upstream_port, username, password_sealed, updated_at FROM pool_upstreams WHERE port = :port")
                .param("port", port)
                .query((rs, n) -> new UpstreamRow(rs.getInt("port"), rs.getString("scheme"), rs.getString("host"),
                        rs.getInt("upstream_port"), rs.getString("username"), rs.getString("password_sealed"),
                        rs.getTimestamp("updated_at").toInstant()))
                .optional();
    }

    List<Integer> upstreamPorts() {
        return jdbc.sql("SELECT port FROM pool_upstreams ORDER BY port").query(Integer.class).list();
    }

    void insertUpstreams(List<UpstreamRow> rows) {
        template.batchUpdate("""
                INSERT INTO pool_upstreams (port, scheme, host, upstream_port, username, password_sealed)
                VALUES (?, ?, ?, ?, ?, ?)""", rows, 500, (ps, r) -> {
            ps.setInt(1, r.port());
            ps.setString(2, r.scheme());
            ps.setString(3, r.host());
            ps.setInt(4, r.upstreamPort());
            ps.setString(5, r.username());
            ps.setString(6, r.passwordSealed());
        });
    }

    void updatePasswords(List<UpstreamRow> rows) {
        template.batchUpdate("UPDATE pool_upstreams SET password_sealed = ?, updated_at = now() WHERE port = ?", rows, 500,
                (ps, r) -> {
                    ps.setString(1, r.passwordSealed());
                    ps.setInt(2, r.port());
                });
    }

    void deleteUpstreams(List<Integer> ports) {
        template.batchUpdate("DELETE FROM pool_upstreams WHERE port = ?", ports, 500, (ps, p) -> ps.setInt(1, p));
    }

    boolean deleteUpstream(int port) {
        return jdbc.sql("DELETE FROM pool_upstreams WHERE port = :port").param("port", port).update() == 1;
    }

    List<PoolPlan> plans() {
        return jdbc.sql("SELECT " + PLAN_COLUMNS + " FROM pool_plans WHERE active ORDER BY price, id")
                .query(PoolRepository::plan).list();
    }

    Optional<PoolPlan> plan(String id) {
        return jdbc.sql("SELECT " + PLAN_COLUMNS + " FROM pool_plans WHERE id = :id").param("id", id)
                .query(PoolRepository::plan).optional();
    }

    boolean insertPlan(PoolPlan p) {
        return jdbc.sql("""
                        INSERT INTO pool_plans (id, name, max_threads, requests_per_second, bytes_per_second_per_socket,
                                                bytes_per_second_total, connections_per_ip, requests_per_second_per_ip,
                                                monthly_quota_bytes, validity_days, price, currency)
                        VALUES (:id, :name, :threads, :rps, :bps, :bpsTotal, :connsIp, :rpsIp, :quota, :validity, :price, :currency)
                        ON CONFLICT (id) DO NOTHING""")
                .param("id", p.id()).param("name", p.name()).param("threads", p.maxThreads())
                .param("rps", p.requestsPerSecond()).param("bps", p.bytesPerSecondPerSocket())
                .param("bpsTotal", p.bytesPerSecondTotal()).param("connsIp", p.connectionsPerIp())
                .param("rpsIp", p.requestsPerSecondPerIp()).param("quota", p.monthlyQuotaBytes())
                .param("validity", p.validityDays()).param("price", p.price()).param("currency", p.currency())
                .update() == 1;
    }

    Optional<PoolSubscription> subscription(UUID userId) {
        return jdbc.sql("SELECT " + SUB_COLUMNS + " FROM pool_subscriptions WHERE user_id = :uid").param("uid", userId)
                .query(PoolRepository::subscription).optional();
    }

    List<PoolSubscription> subscriptions() {
        return jdbc.sql("SELECT " + SUB_COLUMNS + " FROM pool_subscriptions ORDER BY created_at DESC, user_id")
                .query(PoolRepository::subscription).list();
    }

    /** Inserts or replaces the account's subscription; a plan change keeps the period start. */
    PoolSubscription upsertSubscription(UUID userId, String planId, String ports, Instant now, @Nullable Instant expiresAt) {
        return jdbc.sql("""
                        INSERT INTO pool_subscriptions (user_id, plan_id, ports, period_start, expires_at)
                        VALUES (:uid, :plan, :ports, :now, :exp)
                        ON CONFLICT (user_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, ports = EXCLUDED.ports,
                            expires_at = EXCLUDED.expires_at, updated_at = now()
                        RETURNING""" + " " + SUB_COLUMNS)
                .param("uid", userId).param("plan", planId).param("ports", ports).param("now", Timestamp.from(now))
                .param("exp", expiresAt == null ? null : Timestamp.from(expiresAt))
                .query(PoolRepository::subscription).single();
    }

    Optional<PoolSubscription> setBanned(UUID userId, @Nullable Instant bannedAt, @Nullable String reason) {
        return jdbc.sql("UPDATE pool_subscriptions SET banned_at = :at, ban_reason = :reason, updated_at = now() "
                        + "WHERE user_id = :uid RETURNING " + SUB_COLUMNS)
                .param("uid", userId).param("at", bannedAt == null ? null : Timestamp.from(bannedAt))
                .param("reason", reason)
                .query(PoolRepository::subscription).optional();
    }

    void insertToken(UUID id, String name, String hash, Set<String> scopes, UUID createdBy, Instant expiresAt) {
        jdbc.sql("""
                        INSERT INTO pool_admin_tokens (id, name, token_hash, scopes, created_by, expires_at)
                        VALUES (:id, :name, :hash, :scopes, :by, :exp)""")
                .param("id", id).param("name", name).param("hash", hash).param("scopes", String.join(" ", scopes))
                .param("by", createdBy).param("exp", Timestamp.from(expiresAt)).update();
    }

    Optional<AdminToken> token(UUID id) {
        return jdbc.sql("SELECT " + TOKEN_COLUMNS + " FROM pool_admin_tokens WHERE id = :id").param("id", id)
                .query(PoolRepository::token).optional();
    }

    List<AdminToken> tokens() {
        return jdbc.sql("SELECT " + TOKEN_COLUMNS + " FROM pool_admin_tokens ORDER BY created_at DESC, id")
                .query(PoolRepository::token).list();
    }

    /** The token with this hash if it is neither revoked nor expired at {@code now}; marks it used. */
    Optional<AdminToken> useToken(String hash, Instant now) {
        return jdbc.sql("""
                        UPDATE pool_admin_tokens SET last_used_at = :now
                        WHERE token_hash = :hash AND revoked_at IS NULL AND expires_at > :now
                        RETURNING""" + " " + TOKEN_COLUMNS)
                .param("hash", hash).param("now", Timestamp.from(now))
                .query(PoolRepository::token).optional();
    }

    boolean revokeToken(UUID id, Instant now) {
        return jdbc.sql("UPDATE pool_admin_tokens SET revoked_at = coalesce(revoked_at, :now) WHERE id = :id")
                .param("id", id).param("now", Timestamp.from(now)).update() == 1;
    }

    private static PoolPlan plan(ResultSet rs, int n) throws SQLException {
        return new PoolPlan(rs.getString("id"), rs.getString("name"), rs.getInt("max_threads"),
                rs.getInt("requests_per_second"), rs.getLong("bytes_per_second_per_socket"),
                rs.getLong("bytes_per_second_total"), rs.getInt("connections_per_ip"),
                rs.getInt("requests_per_second_per_ip"), rs.getLong("monthly_quota_bytes"), rs.getInt("validity_days"),
                rs.getBigDecimal("price"), rs.getString("currency"));
    }

    private static PoolSubscription subscription(ResultSet rs, int n) throws SQLException {
        return new PoolSubscription(rs.getObject("user_id", UUID.class), rs.getString("plan_id"), rs.getString("ports"),
                rs.getTimestamp("period_start").toInstant(), instant(rs.getTimestamp("expires_at")),
                instant(rs.getTimestamp("banned_at")), rs.getString("ban_reason"));
    }

    private static AdminToken token(ResultSet rs, int n) throws SQLException {
        return new AdminToken(rs.getObject("id", UUID.class), rs.getString("name"),
                new LinkedHashSet<>(Arrays.asList(rs.getString("scopes").split(" "))), rs.getObject("created_by", UUID.class),
                rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("expires_at").toInstant(),
                instant(rs.getTimestamp("revoked_at")), instant(rs.getTimestamp("last_used_at")));
    }

    private static @Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
