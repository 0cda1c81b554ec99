package io.iploop.server.nodes.internal;

import io.iploop.server.nodes.NodeKey;
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

/** SQL for {@code node_keys}; queries on a user's keys take the user id. Thread-safe. */
@Repository
class NodeKeyRepository {

    private static final String COLUMNS = "id, name, key_prefix, created_at, last_used_at, revoked_at";

    private final JdbcClient jdbc;

    NodeKeyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    NodeKey insert(UUID ownerUserId, String name, String keyHash, String keyPrefix) {
        return jdbc.sql("INSERT INTO node_keys (owner_user_id, name, key_hash, key_prefix) "
                        + "VALUES (:owner, :name, :hash, :prefix) RETURNING " + COLUMNS)
                .param("owner", ownerUserId).param("name", name).param("hash", keyHash).param("prefix", keyPrefix)
                .query(NodeKeyRepository::map).single();
    }

    int countByOwner(UUID ownerUserId) {
        return jdbc.sql("SELECT count(*) FROM node_keys WHERE owner_user_id = :owner AND revoked_at IS NULL")
                .param("owner", ownerUserId).query(Integer.class).single();
    }

    List<NodeKey> findByOwner(UUID ownerUserId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM node_keys WHERE owner_user_id = :owner ORDER BY created_at DESC, id")
                .param("owner", ownerUserId).query(NodeKeyRepository::map).list();
    }

    /** The key {@code keyId} if {@code ownerUserId} owns it. */
    Optional<NodeKey> findByOwner(UUID ownerUserId, UUID keyId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM node_keys WHERE owner_user_id = :owner AND id = :id")
                .param("owner", ownerUserId).param("id", keyId).query(NodeKeyRepository::map).optional();
    }

    /** The unrevoked key with this hash: its id and owner. */
    Optional<ActiveKey> findActiveByHash(String keyHash) {
        return jdbc.sql("SELECT id, owner_user_id FROM node_keys WHERE key_hash = :hash AND revoked_at IS NULL")
                .param("hash", keyHash)
                .query((rs, n) -> new ActiveKey(rs.getObject("id", UUID.class), rs.getObject("owner_user_id", UUID.class)))
                .optional();
    }

    /** Sets {@code revoked_at} on the owner's key unless set; the key afterwards, or empty if not theirs. */
    Optional<NodeKey> revoke(UUID ownerUserId, UUID keyId) {
        return jdbc.sql("UPDATE node_keys SET revoked_at = COALESCE(revoked_at, now()) "
                        + "WHERE owner_user_id = :owner AND id = :id RETURNING " + COLUMNS)
                .param("owner", ownerUserId).param("id", keyId).query(NodeKeyRepository::map).optional();
    }

    void touch(UUID keyId) {
        jdbc.sql("UPDATE node_keys SET last_used_at = now() WHERE id = :id").param("id", keyId).update();
    }

    private static NodeKey map(ResultSet rs, int row) throws SQLException {
        return new NodeKey(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("key_prefix"),
                rs.getTimestamp("created_at").toInstant(), instant(rs.getTimestamp("last_used_at")),
                instant(rs.getTimestamp("revoked_at")));
    }

    private static @Nullable Instant instant(@Nullable Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    record ActiveKey(UUID id, UUID ownerUserId) {}
}
