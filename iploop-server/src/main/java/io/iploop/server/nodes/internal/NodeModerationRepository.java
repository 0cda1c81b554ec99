package io.iploop.server.nodes.internal;

import io.iploop.server.nodes.NodeModeration;
import io.iploop.server.nodes.NodeQualityOverview;
import io.iploop.server.nodes.NodeQualityReading;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code node_moderations} and the moderation state of {@code nodes} (docs/moderation.md).
 * Thread-safe.
 */
@Repository
class NodeModerationRepository {

    private static final String COLUMNS = """
            id, action, scope, node_id, owner_user_id, CAST(cidr AS text) AS cidr_text, asn, reason, expires_at,
            created_by, created_at, lifted_at, lifted_by, rule,
            (lifted_at IS NULL AND (expires_at IS NULL OR expires_at > now())) AS active""";

    /** Nodes {@code n} joined with the moderations {@code m} in force that match them. */
    private static final String EFFECTIVE = """
            FROM nodes n JOIN node_moderations m
              ON m.lifted_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > now())
             AND ((m.scope = 'node' AND m.node_id = n.id)
               OR (m.scope = 'owner' AND m.owner_user_id = n.owner_user_id)
               OR (m.scope = 'cidr' AND n.ip_address <<= m.cidr)
               OR (m.scope = 'asn' AND n.asn = m.asn))""";

    private final JdbcClient jdbc;

    NodeModerationRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    NodeModeration insert(String action, String scope, @Nullable UUID nodeId, @Nullable UUID ownerUserId,
            @Nullable String cidr, @Nullable Integer asn, String reason, @Nullable Instant expiresAt,
            @Nullable UUID adminId, @Nullable String rule) {
        return jdbc.sql("INSERT INTO node_moderations (action, scope, node_id, owner_user_id, cidr, asn, reason, "
                        + "expires_at, created_by, rule) VALUES (:action, :scope, :node, :owner, CAST(:cidr AS cidr), "
                        + ":asn, :reason, :expires, :admin, :rule) RETURNING " + COLUMNS)
                .param("action", action).param("scope", scope).param("node", nodeId).param("owner", ownerUserId)
                .param("cidr", cidr).param("asn", asn).param("reason", reason)
                .param("expires", utc(expiresAt)).param("admin", adminId).param("rule", rule)
                .query(NodeModerationRepository::map).single();
    }

    List<NodeModeration> list(boolean activeOnly, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM node_moderations"
                        + (activeOnly ? " WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > now())" : "")
                        + " ORDER BY created_at DESC, id LIMIT :limit")
                .param("limit", limit).query(NodeModerationRepository::map).list();
    }

    Optional<NodeModeration> find(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM node_moderations WHERE id = :id")
                .param("id", id).query(NodeModerationRepository::map).optional();
    }

    /** Sets {@code lifted_at} unless already set; the row afterwards, or empty for an unknown id. */
    Optional<NodeModeration> lift(UUID id, UUID adminId) {
        jdbc.sql("UPDATE node_moderations SET lifted_at = now(), lifted_by = :admin WHERE id = :id AND lifted_at IS NULL")
                .param("id", id).param("admin", adminId).update();
        return find(id);
    }

    /**
     * The moderation in force for each of {@code nodeIds} that has one: a ban wins over a quarantine,
     * then the newest.
     */
    Map<UUID, Effective> effective(Collection<UUID> nodeIds) {
        Map<UUID, Effective> out = new HashMap<>();
        if (nodeIds.isEmpty()) {
            return out;
        }
        jdbc.sql("SELECT DISTINCT ON (n.id) n.id, m.action, m.reason, m.expires_at " + EFFECTIVE
                        + " WHERE n.id = ANY(:ids) ORDER BY n.id, (m.action = 'ban') DESC, m.created_at DESC")
                .param("ids", nodeIds.toArray(UUID[]::new))
                .query(rs -> {
                    Timestamp expires = rs.getTimestamp("expires_at");
                    out.put(rs.getObject("id", UUID.class), new Effective(rs.getString("action"), rs.getString("reason"),
                            expires == null ? null : expires.toInstant()));
                });
        return out;
    }

    /** Connected nodes ({@code available}/{@code busy}) under a moderation with {@code action}. */
    Set<UUID> connectedUnder(String action) {
        return Set.copyOf(jdbc.sql("SELECT DISTINCT n.id " + EFFECTIVE
                        + " WHERE m.action = :action AND n.status IN ('available', 'busy')")
                .param("action", action).query(UUID.class).list());
    }

    /** Connected nodes whose node key (the one that admitted them) has been revoked. */
    Set<UUID> connectedWithRevokedKey() {
        return Set.copyOf(jdbc.sql("""
                        SELECT n.id FROM nodes n JOIN node_keys k ON k.id = n.node_key_id
                        WHERE k.revoked_at IS NOT NULL AND n.status IN ('available', 'busy')""")
                .query(UUID.class).list());
    }

    /** Every node under a moderation in force, connected or not. */
    Set<UUID> moderatedIds() {
        return Set.copyOf(jdbc.sql("SELECT DISTINCT n.id " + EFFECTIVE).query(UUID.class).list());
    }

    /**
     * The stored quality score (docs/exit-quality.md#score, as the gateway last reported it) and the
     * lifetime stream count of every connected node that its owner has not removed.
     */
    List<NodeQualityReading> connectedQuality() {
        return jdbc.sql("""
                        SELECT id, quality_score, total_requests FROM nodes
                        WHERE status IN ('available', 'busy') AND removed_at IS NULL ORDER BY id""")
                .query((rs, n) -> new NodeQualityReading(rs.getObject("id", UUID.class), rs.getInt("quality_score"),
                        rs.getLong("total_requests")))
                .list();
    }

    /** Connected nodes by band of the stored score, and the {@code limit} measured ones scoring lowest. */
    NodeQualityOverview qualityOverview(int limit) {
        String connected = " FROM nodes WHERE status IN ('available', 'busy') AND removed_at IS NULL";
        int[] bands = jdbc.sql("""
                        SELECT count(*) FILTER (WHERE total_requests > 0 AND quality_score >= 80) AS good,
                               count(*) FILTER (WHERE total_requests > 0 AND quality_score >= 50 AND quality_score < 80) AS fair,
                               count(*) FILTER (WHERE total_requests > 0 AND quality_score < 50) AS poor,
                               count(*) FILTER (WHERE total_requests = 0) AS unmeasured""" + connected)
                .query((rs, n) -> new int[] {rs.getInt("good"), rs.getInt("fair"), rs.getInt("poor"), rs.getInt("unmeasured")})
                .single();
        List<NodeQualityOverview.Row> lowest = limit == 0 ? List.of() : jdbc.sql("""
                        SELECT id, device_id, owner_user_id, country, quality_score, total_requests, successful_requests,
                               quality_ttfb_ms, quality_throughput_mbps"""
                        + connected + " AND total_requests > 0 ORDER BY quality_score, total_requests DESC, id LIMIT :limit")
                .param("limit", limit)
                .query((rs, n) -> new NodeQualityOverview.Row(rs.getObject("id", UUID.class), rs.getString("device_id"),
                        rs.getObject("owner_user_id", UUID.class), rs.getString("country"), rs.getInt("quality_score"),
                        rs.getLong("total_requests"), rs.getLong("successful_requests"),
                        rs.getObject("quality_ttfb_ms", Double.class), rs.getObject("quality_throughput_mbps", Double.class)))
                .list();
        return new NodeQualityOverview(bands[0], bands[1], bands[2], bands[3], lowest);
    }

    private static NodeModeration map(ResultSet rs, int row) throws SQLException {
        Object asn = rs.getObject("asn");
        return new NodeModeration(rs.getObject("id", UUID.class), rs.getString("action"), rs.getString("scope"),
                rs.getObject("node_id", UUID.class), rs.getObject("owner_user_id", UUID.class), rs.getString("cidr_text"),
                asn == null ? null : ((Number) asn).intValue(), rs.getString("reason"),
                instant(rs.getTimestamp("expires_at")), rs.getObject("created_by", UUID.class),
                rs.getTimestamp("created_at").toInstant(), instant(rs.getTimestamp("lifted_at")),
                rs.getObject("lifted_by", UUID.class), rs.getBoolean("active"), rs.getString("rule"));
    }

    private static @Nullable Instant instant(@Nullable Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    private static @Nullable OffsetDateTime utc(@Nullable Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }

    /**
     * A node's moderation in force: {@code ban} or {@code quarantine} (a ban wins when both match), why,
     * and when it ends by itself ({@code expiresAt}, null = until lifted).
     */
    record Effective(String action, String reason, @Nullable Instant expiresAt) {}
}
