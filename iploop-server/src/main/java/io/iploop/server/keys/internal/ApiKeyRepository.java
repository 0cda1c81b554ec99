package io.iploop.server.keys.internal;

import io.iploop.server.keys.ApiKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
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
import tools.jackson.databind.json.JsonMapper;

/**
 * SQL for {@code api_keys} and {@code account_ip_whitelists}; every query on a user's keys takes the
 * user id, and deleted keys ({@code deleted_at} set) are invisible to all of them. Whitelists are
 * stored as JSON arrays of strings. Thread-safe.
 */
@Repository
class ApiKeyRepository {

    private static final String COLUMNS = "id, name, key_prefix, is_active, created_at, last_used_at, expires_at, "
            + "ip_whitelist::text AS ip_whitelist, replaced_by, grace_ends_at";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ApiKeyRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Serialises key creation and rotation per user for the rest of the transaction (the 5-key limit). */
    void lockUser(UUID userId) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
                .param("key", "api_keys:" + userId).query().singleRow();
    }

    /** Keys counted against the limit: those not replaced by rotation. */
    int countByUser(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM api_keys WHERE user_id = :userId AND replaced_by IS NULL AND deleted_at IS NULL")
                .param("userId", userId).query(Integer.class).single();
    }

    /**
     * Keys that would authenticate now, over all accounts but {@code excludedUsers} (the accounts
     * feature's inactive ones): the key-side conditions of JdbcProxyAuthenticator.
     */
    long countUsable(java.util.Set<UUID> excludedUsers) {
        return jdbc.sql("""
                        SELECT count(*) FROM api_keys k
                        WHERE k.is_active AND k.deleted_at IS NULL
                          AND NOT (k.user_id = ANY(:excluded))
                          AND (k.expires_at IS NULL OR k.expires_at > now())
                          AND (k.grace_ends_at IS NULL OR k.grace_ends_at > now())""")
                .param("excluded", excludedUsers.toArray(UUID[]::new))
                .query(Long.class).single();
    }

    ApiKey insert(UUID userId, NewKey k) {
        return jdbc.sql("""
                        INSERT INTO api_keys (user_id, name, key_hash, key_prefix, is_active, expires_at, ip_whitelist)
                        VALUES (:userId, :name, :hash, :prefix, :active, :expiresAt, CAST(:ips AS jsonb))
                        RETURNING\s""" + COLUMNS)
                .param("userId", userId).param("name", k.name()).param("hash", k.keyHash())
                .param("prefix", k.keyPrefix()).param("active", k.active()).param("expiresAt", utc(k.expiresAt()))
                .param("ips", json.writeValueAsString(k.ipWhitelist()))
                .query(this::map).single();
    }

    /** Rotated keys whose grace period ended are left out. */
    List<ApiKey> findByUser(UUID userId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_keys WHERE user_id = :userId AND deleted_at IS NULL"
                        + " AND (grace_ends_at IS NULL OR grace_ends_at > now()) ORDER BY created_at DESC, id")
                .param("userId", userId).query(this::map).list();
    }

    /** The key, locked until the end of the transaction when {@code forUpdate}. */
    Optional<ApiKey> find(UUID userId, UUID keyId, boolean forUpdate) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id AND user_id = :userId AND deleted_at IS NULL"
                        + (forUpdate ? " FOR UPDATE" : ""))
                .param("id", keyId).param("userId", userId).query(this::map).optional();
    }

    Optional<ApiKey> setActive(UUID userId, UUID keyId, boolean active) {
        return jdbc.sql("UPDATE api_keys SET is_active = :active WHERE id = :id AND user_id = :userId AND deleted_at IS NULL"
                        + " RETURNING " + COLUMNS)
                .param("active", active).param("id", keyId).param("userId", userId)
                .query(this::map).optional();
    }

    Optional<ApiKey> setWhitelist(UUID userId, UUID keyId, List<String> ips) {
        return jdbc.sql("UPDATE api_keys SET ip_whitelist = CAST(:ips AS jsonb) WHERE id = :id AND user_id = :userId"
                        + " AND deleted_at IS NULL RETURNING " + COLUMNS)
                .param("ips", json.writeValueAsString(ips)).param("id", keyId).param("userId", userId)
                .query(this::map).optional();
    }

    /** Marks {@code keyId} as replaced by {@code successorId}, working for {@code grace} from now. */
    void retire(UUID userId, UUID keyId, UUID successorId, Duration grace) {
        jdbc.sql("""
                        UPDATE api_keys SET replaced_by = :successor, grace_ends_at = now() + make_interval(secs => :graceSeconds)
                        WHERE id = :id AND user_id = :userId""")
                .param("successor", successorId).param("graceSeconds", grace.toSeconds())
                .param("id", keyId).param("userId", userId).update();
    }

    /** Marks the key deleted (the row stays for usage attribution). */
    boolean delete(UUID userId, UUID keyId) {
        return jdbc.sql("UPDATE api_keys SET deleted_at = now() WHERE id = :id AND user_id = :userId AND deleted_at IS NULL")
                .param("id", keyId).param("userId", userId).update() == 1;
    }

    List<String> accountWhitelist(UUID userId) {
        return jdbc.sql("SELECT entries::text FROM account_ip_whitelists WHERE user_id = :userId")
                .param("userId", userId).query(String.class).optional().map(this::strings).orElse(List.of());
    }

    void setAccountWhitelist(UUID userId, List<String> ips) {
        jdbc.sql("""
                        INSERT INTO account_ip_whitelists (user_id, entries) VALUES (:userId, CAST(:ips AS jsonb))
                        ON CONFLICT (user_id) DO UPDATE SET entries = EXCLUDED.entries, updated_at = now()""")
                .param("userId", userId).param("ips", json.writeValueAsString(ips)).update();
    }

    /**
     * The key half of the proxy credential check (docs/product/proxy.md#credentials) in one indexed
     * lookup on this
     * feature's own tables: the key by hash with its owner, state and IP whitelist, and the owner's
     * account-level IP whitelist. The owner's account (customer id, status) is the accounts
     * feature's to tell.
     */
    Optional<ProxyCredential> findProxyCredential(String keyHash) {
        return jdbc.sql("""
                        SELECT k.id AS key_id, k.user_id, k.is_active, k.expires_at, k.grace_ends_at,
                               k.ip_whitelist::text AS key_ips, w.entries::text AS account_ips
                        FROM api_keys k
                        LEFT JOIN account_ip_whitelists w ON w.user_id = k.user_id
                        WHERE k.key_hash = :hash AND k.deleted_at IS NULL""")
                .param("hash", keyHash)
                .query((rs, n) -> new ProxyCredential(
                        rs.getObject("key_id", UUID.class),
                        rs.getObject("user_id", UUID.class),
                        rs.getBoolean("is_active"),
                        instant(rs.getTimestamp("expires_at")),
                        instant(rs.getTimestamp("grace_ends_at")),
                        strings(rs.getString("key_ips")),
                        strings(rs.getString("account_ips"))))
                .optional();
    }

    /** Records last use; never moves {@code last_used_at} backwards. */
    void touch(Map<UUID, Instant> lastUsed) {
        for (Map.Entry<UUID, Instant> e : lastUsed.entrySet()) {
            jdbc.sql("""
                            UPDATE api_keys SET last_used_at = :at
                            WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :at)""")
                    .param("id", e.getKey()).param("at", utc(e.getValue())).update();
        }
    }

    private ApiKey map(ResultSet rs, int row) throws SQLException {
        return new ApiKey(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                rs.getString("key_prefix"),
                rs.getBoolean("is_active"),
                rs.getTimestamp("created_at").toInstant(),
                instant(rs.getTimestamp("last_used_at")),
                instant(rs.getTimestamp("expires_at")),
                strings(rs.getString("ip_whitelist")),
                rs.getObject("replaced_by", UUID.class),
                instant(rs.getTimestamp("grace_ends_at")));
    }

    private List<String> strings(@Nullable String jsonArray) {
        return jsonArray == null ? List.of() : List.of(json.readValue(jsonArray, String[].class));
    }

    private static @Nullable Instant instant(@Nullable Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    private static @Nullable OffsetDateTime utc(@Nullable Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    /** What a new key row holds besides its owner. */
    record NewKey(String name, String keyHash, String keyPrefix, boolean active, @Nullable Instant expiresAt,
            List<String> ipWhitelist) {}

    /** A key found for a proxy login, with what this feature knows that decides whether it is accepted. */
    record ProxyCredential(UUID keyId, UUID userId, boolean active, @Nullable Instant expiresAt,
            @Nullable Instant graceEndsAt, List<String> keyWhitelist, List<String> accountWhitelist) {}
}
