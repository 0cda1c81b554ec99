package io.iploop.server.subusers.internal;

import io.iploop.server.keys.SubUserCredentials;
import io.iploop.server.subusers.SubUserSpec;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code sub_users} and {@code sub_user_traffic}. Every query on an account's sub-users
 * takes the account's id, so another account's sub-user is simply not found. Lists ({@code text[]})
 * are passed as comma-joined text: their entries (country codes, IP literals, CIDR ranges) never
 * contain a comma. Thread-safe.
 */
@Repository
class SubUserRepository {

    private static final String COLUMNS = """
            s.id, s.user_id, s.customer_id, s.name, s.secret_prefix, s.enabled, s.traffic_limit_bytes,
            s.traffic_period, s.requests_per_second, s.requests_per_day, s.allowed_countries, s.city_allowed,
            s.ip_whitelist, s.expires_at, s.expires_at IS NOT NULL AND s.expires_at <= now() AS expired,
            s.created_at, s.updated_at, s.limit_reached_at, s.limit_notified, s.max_concurrent_connections,
            COALESCE(CASE WHEN s.traffic_period = 'total'
                          THEN (SELECT sum(t.bytes) FROM sub_user_traffic t WHERE t.sub_user_id = s.id)
                          ELSE (SELECT t.bytes FROM sub_user_traffic t WHERE t.sub_user_id = s.id
                                  AND t.month = date_trunc('month', now() AT TIME ZONE 'UTC')::date) END, 0) AS used_bytes""";

    /** A stored row. */
    record Row(UUID id, UUID userId, String customerId, String name, String secretPrefix, boolean enabled,
            @Nullable Long trafficLimitBytes, String trafficPeriod, int requestsPerSecond, long requestsPerDay,
            List<String> allowedCountries, boolean cityAllowed, List<String> ipWhitelist, @Nullable Instant expiresAt,
            boolean expired, Instant createdAt, Instant updatedAt, long usedBytes, @Nullable Instant limitReachedAt,
            boolean limitNotified, @Nullable Integer maxConcurrentConnections) {}

    private final JdbcClient jdbc;

    SubUserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Serialises creation per account for the rest of the transaction (the per-account cap). */
    void lockUser(UUID userId) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .param("key", "sub_users:" + userId).query().singleRow();
    }

    int countByUser(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM sub_users WHERE user_id = :u").param("u", userId).query(Integer.class).single();
    }

    boolean nameTaken(String customerId, String name) {
        return jdbc.sql("SELECT count(*) FROM sub_users WHERE customer_id = :c AND name = :n")
                .param("c", customerId).param("n", name).query(Integer.class).single() > 0;
    }

    List<Row> list(UUID userId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sub_users s WHERE s.user_id = :u ORDER BY s.created_at, s.name")
                .param("u", userId).query(SubUserRepository::row).list();
    }

    Optional<Row> find(UUID userId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sub_users s WHERE s.user_id = :u AND s.id = :id")
                .param("u", userId).param("id", id).query(SubUserRepository::row).optional();
    }

    /** By id alone: for the gateway's limits, which come with an already authenticated sub-user id. */
    Optional<Row> findById(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sub_users s WHERE s.id = :id")
                .param("id", id).query(SubUserRepository::row).optional();
    }

    Optional<SubUserCredentials.SubUserCredential> findCredential(String customerId, String name, String secretHash) {
        return jdbc.sql("""
                        SELECT id, user_id, enabled, expires_at, ip_whitelist FROM sub_users
                        WHERE customer_id = :c AND name = :n AND secret_hash = :h""")
                .param("c", customerId).param("n", name).param("h", secretHash)
                .query((rs, n) -> new SubUserCredentials.SubUserCredential(rs.getObject("user_id", UUID.class),
                        rs.getObject("id", UUID.class), rs.getBoolean("enabled"), instant(rs, "expires_at"),
                        strings(rs.getArray("ip_whitelist"))))
                .optional();
    }

    void insert(UUID id, UUID userId, String customerId, String name, String secretHash, String secretPrefix,
            SubUserSpec spec) {
        jdbc.sql("""
                        INSERT INTO sub_users (id, user_id, customer_id, name, secret_hash, secret_prefix,
                                               traffic_limit_bytes, traffic_period, requests_per_second, requests_per_day,
                                               allowed_countries, city_allowed, ip_whitelist, expires_at,
                                               max_concurrent_connections)
                        VALUES (:id, :u, :c, :n, :h, :p, :limit, :period, :rps, :rpd,
                                COALESCE(string_to_array(NULLIF(:countries, ''), ','), '{}'), :city,
                                COALESCE(string_to_array(NULLIF(:ips, ''), ','), '{}'), :expires, :conns)""")
                .param("id", id).param("u", userId).param("c", customerId).param("n", name).param("h", secretHash)
                .param("p", secretPrefix).param("limit", spec.trafficLimitBytes(), java.sql.Types.BIGINT)
                .param("period", spec.trafficPeriod()).param("rps", spec.requestsPerSecond())
                .param("rpd", spec.requestsPerDay()).param("countries", String.join(",", spec.allowedCountries()))
                .param("city", spec.cityAllowed()).param("ips", String.join(",", spec.ipWhitelist()))
                .param("expires", utc(spec.expiresAt()), java.sql.Types.TIMESTAMP_WITH_TIMEZONE)
                .param("conns", spec.maxConcurrentConnections(), java.sql.Types.INTEGER)
                .update();
    }

    /**
     * Replaces the settings. A changed limit clears the reached mark (the job notifies again when
     * the new limit is reached).
     *
     * @return whether the row existed for this account
     */
    boolean update(UUID userId, UUID id, SubUserSpec spec) {
        return jdbc.sql("""
                        UPDATE sub_users SET traffic_limit_bytes = :limit, traffic_period = :period,
                               requests_per_second = :rps, requests_per_day = :rpd,
                               allowed_countries = COALESCE(string_to_array(NULLIF(:countries, ''), ','), '{}'),
                               city_allowed = :city,
                               ip_whitelist = COALESCE(string_to_array(NULLIF(:ips, ''), ','), '{}'),
                               expires_at = :expires, max_concurrent_connections = :conns,
                               limit_reached_at = CASE WHEN traffic_limit_bytes IS DISTINCT FROM :limit
                                                         OR traffic_period <> :period
                                                       THEN NULL ELSE limit_reached_at END,
                               limit_notified = CASE WHEN traffic_limit_bytes IS DISTINCT FROM :limit
                                                       OR traffic_period <> :period
                                                     THEN false ELSE limit_notified END,
                               updated_at = now()
                        WHERE user_id = :u AND id = :id""")
                .param("u", userId).param("id", id).param("limit", spec.trafficLimitBytes(), java.sql.Types.BIGINT)
                .param("period", spec.trafficPeriod()).param("rps", spec.requestsPerSecond())
                .param("rpd", spec.requestsPerDay()).param("countries", String.join(",", spec.allowedCountries()))
                .param("city", spec.cityAllowed()).param("ips", String.join(",", spec.ipWhitelist()))
                .param("expires", utc(spec.expiresAt()), java.sql.Types.TIMESTAMP_WITH_TIMEZONE)
                .param("conns", spec.maxConcurrentConnections(), java.sql.Types.INTEGER)
                .update() > 0;
    }

    boolean setEnabled(UUID userId, UUID id, boolean enabled) {
        return jdbc.sql("UPDATE sub_users SET enabled = :e, updated_at = now() WHERE user_id = :u AND id = :id")
                .param("e", enabled).param("u", userId).param("id", id).update() > 0;
    }

    boolean delete(UUID userId, UUID id) {
        boolean deleted = jdbc.sql("DELETE FROM sub_users WHERE user_id = :u AND id = :id")
                .param("u", userId).param("id", id).update() > 0;
        if (deleted) {
            jdbc.sql("DELETE FROM sub_user_traffic WHERE sub_user_id = :id").param("id", id).update();
        }
        return deleted;
    }

    /**
     * Adds {@code bytes} to the sub-user's current UTC month, and marks the limit reached when the
     * period's bytes now reach it. Does nothing for a sub-user that no longer exists (never fails
     * the usage batch it runs in).
     */
    void addTraffic(UUID subUserId, long bytes) {
        int added = jdbc.sql("""
                        INSERT INTO sub_user_traffic (sub_user_id, month, bytes)
                        SELECT id, date_trunc('month', now() AT TIME ZONE 'UTC')::date, :b FROM sub_users WHERE id = :id
                        ON CONFLICT (sub_user_id, month) DO UPDATE SET bytes = sub_user_traffic.bytes + EXCLUDED.bytes""")
                .param("id", subUserId).param("b", bytes).update();
        if (added == 0) {
            return;
        }
        jdbc.sql("""
                        UPDATE sub_users s SET limit_reached_at = now()
                        WHERE s.id = :id AND s.limit_reached_at IS NULL AND s.traffic_limit_bytes IS NOT NULL
                          AND s.traffic_limit_bytes <= COALESCE(CASE WHEN s.traffic_period = 'total'
                                THEN (SELECT sum(t.bytes) FROM sub_user_traffic t WHERE t.sub_user_id = s.id)
                                ELSE (SELECT t.bytes FROM sub_user_traffic t WHERE t.sub_user_id = s.id
                                        AND t.month = date_trunc('month', now() AT TIME ZONE 'UTC')::date) END, 0)""")
                .param("id", subUserId).update();
    }

    /**
     * Sub-users whose limit was reached but not yet notified, locked for this transaction (so two
     * instances never notify twice), at most {@code max}.
     */
    List<Row> lockReachedUnnotified(int max) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM sub_users s WHERE s.limit_reached_at IS NOT NULL "
                        + "AND NOT s.limit_notified ORDER BY s.limit_reached_at LIMIT :max FOR UPDATE SKIP LOCKED")
                .param("max", max).query(SubUserRepository::row).list();
    }

    void markNotified(UUID id) {
        jdbc.sql("UPDATE sub_users SET limit_notified = true WHERE id = :id").param("id", id).update();
    }

    /**
     * A new month gives monthly sub-users a fresh allowance: their reached mark is cleared once the
     * current month's bytes are below the limit again.
     */
    int clearStaleReached() {
        return jdbc.sql("""
                        UPDATE sub_users s SET limit_reached_at = NULL, limit_notified = false
                        WHERE s.limit_reached_at IS NOT NULL AND s.traffic_period = 'month'
                          AND s.limit_reached_at < date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'""")
                .update();
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        long limit = rs.getLong("traffic_limit_bytes");
        Long trafficLimit = rs.wasNull() ? null : limit;
        int conns = rs.getInt("max_concurrent_connections");
        Integer maxConcurrent = rs.wasNull() ? null : conns;
        return new Row(rs.getObject("id", UUID.class), rs.getObject("user_id", UUID.class), rs.getString("customer_id"),
                rs.getString("name"), rs.getString("secret_prefix"), rs.getBoolean("enabled"),
                trafficLimit, rs.getString("traffic_period"), rs.getInt("requests_per_second"),
                rs.getLong("requests_per_day"), strings(rs.getArray("allowed_countries")), rs.getBoolean("city_allowed"),
                strings(rs.getArray("ip_whitelist")), instant(rs, "expires_at"), rs.getBoolean("expired"),
                Objects.requireNonNull(instant(rs, "created_at")), Objects.requireNonNull(instant(rs, "updated_at")), rs.getLong("used_bytes"),
                instant(rs, "limit_reached_at"), rs.getBoolean("limit_notified"), maxConcurrent);
    }

    private static List<String> strings(@Nullable Array a) throws SQLException {
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static @Nullable OffsetDateTime utc(@Nullable Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }
}
