package io.iploop.server.keys.internal;

import io.iploop.server.keys.ApiKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code api_keys}; every query on a user's keys takes the user id. Thread-safe. */
@Repository
class ApiKeyRepository {

    private static final String COLUMNS = "id, name, key_prefix, is_active, created_at, last_used_at, expires_at";

    private final JdbcClient jdbc;

    ApiKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Serialises key creation per user for the rest of the transaction (the 5-key limit). */
    void lockUser(UUID userId) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .param("key", "api_keys:" + userId).query().singleRow();
    }

    int countByUser(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM api_keys WHERE user_id = :userId")
                .param("userId", userId).query(Integer.class).single();
    }

    ApiKey insert(UUID userId, String name, String keyHash, String keyPrefix) {
        return jdbc.sql("INSERT INTO api_keys (user_id, name, key_hash, key_prefix) "
                        + "VALUES (:userId, :name, :hash, :prefix) RETURNING " + COLUMNS)
                .param("userId", userId).param("name", name).param("hash", keyHash).param("prefix", keyPrefix)
                .query(ApiKeyRepository::map).single();
    }

    List<ApiKey> findByUser(UUID userId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_keys WHERE user_id = :userId ORDER BY created_at DESC, id")
                .param("userId", userId).query(ApiKeyRepository::map).list();
    }

    Optional<ApiKey> setActive(UUID userId, UUID keyId, boolean active) {
        return jdbc.sql("UPDATE api_keys SET is_active = :active WHERE id = :id AND user_id = :userId RETURNING " + COLUMNS)
                .param("active", active).param("id", keyId).param("userId", userId)
                .query(ApiKeyRepository::map).optional();
    }

    /**
     * The proxy credential check of DESIGN §3 in one indexed lookup: the key by hash, its owner,
     * which must carry {@code customerId}, and the owner's active plan's sticky-lifetime cap.
     */
    Optional<ProxyCredential> findProxyCredential(String customerId, String keyHash) {
        return jdbc.sql("""
                        SELECT k.id AS key_id, k.user_id, k.is_active, k.expires_at, u.status AS user_status,
                               u.customer_id, p.max_sticky_lifetime_seconds
                        FROM api_keys k
                        JOIN users u ON u.id = k.user_id
                        LEFT JOIN user_plans up ON up.user_id = u.id AND up.status = 'active'
                        LEFT JOIN plans p ON p.id = up.plan_id
                        WHERE k.key_hash = :hash AND u.customer_id = :customerId""")
                .param("hash", keyHash).param("customerId", customerId)
                .query((rs, n) -> new ProxyCredential(
                        rs.getObject("key_id", UUID.class),
                        rs.getObject("user_id", UUID.class),
                        rs.getString("customer_id"),
                        rs.getBoolean("is_active"),
                        instant(rs.getTimestamp("expires_at")),
                        rs.getString("user_status"),
                        (Integer) rs.getObject("max_sticky_lifetime_seconds")))
                .optional();
    }

    /** Records last use; never moves {@code last_used_at} backwards. */
    void touch(Map<UUID, Instant> lastUsed) {
        for (Map.Entry<UUID, Instant> e : lastUsed.entrySet()) {
            jdbc.sql("""
                            UPDATE api_keys SET last_used_at = :at
                            WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :at)""")
                    .param("id", e.getKey()).param("at", OffsetDateTime.ofInstant(e.getValue(), ZoneOffset.UTC)).update();
        }
    }

    private static ApiKey map(ResultSet rs, int row) throws SQLException {
        return new ApiKey(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                rs.getString("key_prefix"),
                rs.getBoolean("is_active"),
                rs.getTimestamp("created_at").toInstant(),
                instant(rs.getTimestamp("last_used_at")),
                instant(rs.getTimestamp("expires_at")));
    }

    private static @Nullable Instant instant(@Nullable Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    /** A key found for a proxy login, with what decides whether it is accepted. */
    record ProxyCredential(UUID keyId, UUID userId, String customerId, boolean active, @Nullable Instant expiresAt,
            String userStatus, @Nullable Integer maxStickyLifetimeSeconds) {}
}
