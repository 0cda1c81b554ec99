package io.iploop.server.nodes.internal;

import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.NodeStore.NodeCounters;
import io.iploop.server.nodes.DeviceRegistration;
import io.iploop.server.nodes.NodeFilter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code nodes}. Thread-safe. */
@Repository
class NodeRepository {

    private final JdbcClient jdbc;
    private final JdbcTemplate template;

    NodeRepository(JdbcClient jdbc, JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
    }

    /**
     * Inserts or refreshes the node of {@code deviceId} for {@code ownerUserId}; the agent's device
     * name only while its owner has not renamed it on the dashboard. A device id already registered
     * to another owner is left untouched and yields empty.
     */
    Optional<UpsertResult> upsert(NodeRegistration r) {
        return jdbc.sql("""
                        INSERT INTO nodes (device_id, owner_user_id, node_key_id, device_name, platform, sdk_version,
                                           ip_address, country, country_name, region, city, asn, isp, connection_type,
                                           local_exit)
                        VALUES (:deviceId, :owner, :keyId, :deviceName, :platform, :sdkVersion, CAST(:ip AS inet),
                                :country, :countryName, :region, :city, :asn, :isp, :connectionType, :localExit)
                        ON CONFLICT (device_id) DO UPDATE SET
                            node_key_id = EXCLUDED.node_key_id,
                            device_name = CASE WHEN nodes.name_set_by_owner THEN nodes.device_name
                                               ELSE EXCLUDED.device_name END,
                            platform = EXCLUDED.platform, sdk_version = EXCLUDED.sdk_version,
                            ip_address = EXCLUDED.ip_address, country = EXCLUDED.country,
                            country_name = EXCLUDED.country_name, region = EXCLUDED.region, city = EXCLUDED.city,
                            asn = EXCLUDED.asn, isp = EXCLUDED.isp, connection_type = EXCLUDED.connection_type,
                            local_exit = EXCLUDED.local_exit
                        WHERE nodes.owner_user_id = EXCLUDED.owner_user_id
                        RETURNING id, status""")
                .param("deviceId", r.deviceId())
                .param("owner", r.ownerUserId())
                .param("keyId", r.nodeKeyId())
                .param("deviceName", r.deviceName())
                .param("platform", r.platform())
                .param("sdkVersion", r.sdkVersion())
                .param("ip", r.ipAddress())
                .param("country", r.country())
                .param("countryName", r.countryName())
                .param("region", r.region())
                .param("city", r.city())
                .param("asn", r.asn())
                .param("isp", r.isp())
                .param("connectionType", r.connectionType())
                .param("localExit", r.localExit())
                .query((rs, n) -> new UpsertResult(rs.getObject("id", UUID.class), rs.getString("status")))
                .optional();
    }

    void connected(UUID nodeId, @Nullable String ip, Instant at) {
        jdbc.sql("""
                        UPDATE nodes SET status = 'available', ip_address = COALESCE(CAST(:ip AS inet), ip_address),
                                         connected_since = :at, last_heartbeat = :at
                        WHERE id = :id AND status <> 'banned'""")
                .param("id", nodeId).param("ip", ip).param("at", utc(at)).update();
    }

    /** Records a refused second agent with this node's device id: when and from which address. */
    void idClash(UUID nodeId, @Nullable String ip, Instant at) {
        jdbc.sql("UPDATE nodes SET last_id_clash_at = :at, last_id_clash_ip = CAST(:ip AS inet) WHERE id = :id")
                .param("id", nodeId).param("ip", ip).param("at", utc(at)).update();
    }

    void disconnected(UUID nodeId) {
        jdbc.sql("UPDATE nodes SET status = 'inactive', connected_since = NULL WHERE id = :id AND status <> 'banned'")
                .param("id", nodeId).update();
    }

    void addCounters(List<NodeCounters> deltas) {
        template.batchUpdate("""
                        UPDATE nodes SET bandwidth_bytes = bandwidth_bytes + ?, total_requests = total_requests + ?,
                                         successful_requests = successful_requests + ?,
                                         last_heartbeat = GREATEST(last_heartbeat, ?),
                                         quality_score = COALESCE(?, quality_score),
                                         quality_success_share = COALESCE(?, quality_success_share),
                                         quality_ttfb_ms = COALESCE(?, quality_ttfb_ms),
                                         quality_throughput_mbps = COALESCE(?, quality_throughput_mbps)
                        WHERE id = ?""",
                deltas, 500, (ps, d) -> {
                    ps.setLong(1, d.bytes());
                    ps.setLong(2, d.requests());
                    ps.setLong(3, d.successes());
                    ps.setObject(4, utc(d.lastHeartbeat()));
                    // The gateway's measured score and its averages (docs/exit-quality.md#where-it-shows);
                    // null keeps the stored ones.
                    ps.setObject(5, d.quality(), Types.INTEGER);
                    NodeStore.QualityFigures f = d.figures();
                    ps.setObject(6, f == null ? null : Math.clamp(f.successShare(), 0.0, 1.0), Types.DOUBLE);
                    ps.setObject(7, f == null || f.ttfbMillis() == null ? null : Math.max(0, f.ttfbMillis()), Types.DOUBLE);
                    ps.setObject(8, f == null || f.throughputMbps() == null ? null : Math.max(0, f.throughputMbps()),
                            Types.DOUBLE);
                    ps.setObject(9, d.nodeId());
                });
    }

    int markAllOffline() {
        return jdbc.sql("UPDATE nodes SET status = 'inactive', connected_since = NULL WHERE status IN ('available', 'busy')")
                .update();
    }

    /** Nodes owned by {@code ownerUserId}, or every node when it is null (admin). */
    List<NodeRow> find(@Nullable UUID ownerUserId) {
        return where(ownerUserId, NodeFilter.ALL, "SELECT *, host(ip_address) AS ip FROM nodes", " ORDER BY created_at, id")
                .query(NodeRepository::map).list();
    }

    /**
     * The state lists show (docs/product/nodes.md#node-list-and-filters): the owner's dashboard
     * state (removed, paused) wins over the connection state the gateway records.
     */
    static final String LISTED_STATUS = """
            CASE WHEN status = 'banned' THEN 'banned' WHEN removed_at IS NOT NULL THEN 'removed'
                 WHEN paused_at IS NOT NULL THEN 'paused' ELSE status END""";

    /** Sort field of {@link NodeFilter#SORTS} to its column: user text never reaches the SQL. */
    private static final Map<String, String> SORT_COLUMNS = Map.of("createdAt", "created_at",
            "lastHeartbeat", "last_heartbeat", "deviceId", "device_id", "country", "country", "status", "(" + LISTED_STATUS + ")",
            "qualityScore", "quality_score", "bandwidthBytes", "bandwidth_bytes");
    private static final Set<String> NULLABLE_SORT_COLUMNS = Set.of("last_heartbeat", "country");

    /** One page of the nodes in scope matching {@code filter}, in its order (nulls last), ties by id. */
    List<NodeRow> find(@Nullable UUID ownerUserId, NodeFilter filter) {
        String column = SORT_COLUMNS.get(filter.sort());
        if (column == null) {
            throw new IllegalArgumentException("sort: " + filter.sort());
        }
        String direction = filter.ascending() ? "ASC" : "DESC";
        // NULLS LAST only where a column can be null: on NOT NULL columns it would stop PostgreSQL from
        // reading a descending page backwards off the (owner_user_id, created_at, id) index
        String nulls = NULLABLE_SORT_COLUMNS.contains(column) ? " NULLS LAST" : "";
        return where(ownerUserId, filter, "SELECT *, host(ip_address) AS ip FROM nodes",
                " ORDER BY " + column + " " + direction + nulls + ", id " + direction + " LIMIT :limit OFFSET :offset")
                .param("limit", filter.limit()).param("offset", filter.offset())
                .query(NodeRepository::map).list();
    }

    /** How many nodes in scope match {@code filter}, all pages. */
    long count(@Nullable UUID ownerUserId, NodeFilter filter) {
        return where(ownerUserId, filter, "SELECT count(*) FROM nodes", "").query(Long.class).single();
    }

    /** {@code select} with the scope and filter conditions, then {@code tail}; parameters bound. */
    private JdbcClient.StatementSpec where(@Nullable UUID ownerUserId, NodeFilter f, String select, String tail) {
        List<String> conditions = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        if (ownerUserId != null) {
            conditions.add("owner_user_id = :owner");
            params.put("owner", ownerUserId);
        }
        if (f.country() != null) {
            conditions.add("country = :country");
            params.put("country", f.country());
        }
        if (f.status() != null) {
            conditions.add("(" + LISTED_STATUS + ") = :status");
            params.put("status", f.status());
        }
        if (f.connectionType() != null) {
            conditions.add("connection_type = :connectionType");
            params.put("connectionType", f.connectionType());
        }
        if (f.search() != null) {
            conditions.add("(device_id ILIKE :search ESCAPE '\\' OR host(ip_address) ILIKE :search ESCAPE '\\')");
            params.put("search", "%" + f.search().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        String sql = select + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)) + tail;
        return jdbc.sql(sql).params(params);
    }

    private static NodeRow map(ResultSet rs, int row) throws SQLException {
        return new NodeRow(
                rs.getObject("id", UUID.class), rs.getString("device_id"), rs.getObject("owner_user_id", UUID.class),
                rs.getString("device_name"), rs.getString("platform"), rs.getString("sdk_version"), rs.getString("ip"),
                rs.getString("country"), rs.getString("country_name"), rs.getString("city"), rs.getString("region"),
                rs.getInt("asn"), rs.getString("isp"), rs.getString("connection_type"), rs.getString("status"),
                rs.getTimestamp("paused_at") != null, rs.getTimestamp("removed_at") != null,
                rs.getBoolean("local_exit"), rs.getInt("quality_score"), rs.getLong("bandwidth_bytes"),
                rs.getLong("total_requests"), rs.getLong("successful_requests"),
                instant(rs.getTimestamp("last_heartbeat")), instant(rs.getTimestamp("connected_since")),
                rs.getTimestamp("created_at").toInstant(), instant(rs.getTimestamp("last_id_clash_at")),
                rs.getObject("quality_success_share", Double.class), rs.getObject("quality_ttfb_ms", Double.class),
                rs.getObject("quality_throughput_mbps", Double.class));
    }

    private static @Nullable Instant instant(@Nullable Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    private static OffsetDateTime utc(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    /**
     * Inserts or refreshes the device {@code r.deviceId()} for {@code owner} as its agent registers:
     * name (kept when null or when the owner renamed the device), install method, node version. A
     * removed device comes back unpaused. A
     * device id of another owner is left untouched and yields empty.
     */
    Optional<UUID> register(UUID owner, UUID nodeKeyId, DeviceRegistration r) {
        return jdbc.sql("""
                        INSERT INTO nodes (device_id, owner_user_id, node_key_id, device_name, install_method, sdk_version)
                        VALUES (:deviceId, :owner, :keyId, :name, :installMethod, :version)
                        ON CONFLICT (device_id) DO UPDATE SET
                            node_key_id = EXCLUDED.node_key_id,
                            device_name = CASE WHEN nodes.name_set_by_owner THEN nodes.device_name
                                               ELSE COALESCE(EXCLUDED.device_name, nodes.device_name) END,
                            install_method = EXCLUDED.install_method,
                            sdk_version = COALESCE(EXCLUDED.sdk_version, nodes.sdk_version),
                            paused_at = CASE WHEN nodes.removed_at IS NOT NULL THEN NULL ELSE nodes.paused_at END,
                            removed_at = NULL
                        WHERE nodes.owner_user_id = EXCLUDED.owner_user_id
                        RETURNING id""")
                .param("deviceId", r.deviceId()).param("owner", owner).param("keyId", nodeKeyId)
                .param("name", r.deviceName()).param("installMethod", r.installMethod())
                .param("version", r.nodeVersion())
                .query(UUID.class).optional();
    }

    /** nodes.id of the owner's device with the agent's device id {@code deviceId}, unless removed. */
    Optional<UUID> deviceByDeviceId(UUID owner, String deviceId) {
        return jdbc.sql("SELECT id FROM nodes WHERE device_id = :deviceId AND owner_user_id = :owner AND removed_at IS NULL")
                .param("deviceId", deviceId).param("owner", owner).query(UUID.class).optional();
    }

    /** The owner's devices that are not removed, oldest first. */
    List<DeviceRow> devices(UUID owner) {
        return jdbc.sql("SELECT * FROM nodes WHERE owner_user_id = :owner AND removed_at IS NULL ORDER BY created_at, id")
                .param("owner", owner).query(NodeRepository::mapDevice).list();
    }

    /** The owner's device {@code id} unless removed; another owner's is empty. */
    Optional<DeviceRow> device(UUID owner, UUID id) {
        return jdbc.sql("SELECT * FROM nodes WHERE id = :id AND owner_user_id = :owner AND removed_at IS NULL")
                .param("id", id).param("owner", owner).query(NodeRepository::mapDevice).optional();
    }

    /** Devices by id, any owner, removed or not. */
    List<DeviceRow> devicesById(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT * FROM nodes WHERE id = ANY(:ids)")
                .param("ids", ids.toArray(UUID[]::new)).query(NodeRepository::mapDevice).list();
    }

    /** The address each node last connected from ({@code ip_address}); nodes without one are absent. */
    Map<UUID, String> lastAddresses(Collection<UUID> ids) {
        Map<UUID, String> out = new HashMap<>();
        if (!ids.isEmpty()) {
            jdbc.sql("SELECT id, host(ip_address) AS ip FROM nodes WHERE id = ANY(:ids) AND ip_address IS NOT NULL")
                    .param("ids", ids.toArray(UUID[]::new))
                    .query((rs, n) -> {
                        out.put(rs.getObject("id", UUID.class), rs.getString("ip"));
                        return 1;
                    }).list();
        }
        return out;
    }

    /** Sets or clears {@code paused_at} on the owner's device; false when it is not theirs or removed. */
    boolean setPaused(UUID owner, UUID id, boolean paused) {
        return jdbc.sql("""
                        UPDATE nodes SET paused_at = CASE WHEN :paused THEN COALESCE(paused_at, now()) END
                        WHERE id = :id AND owner_user_id = :owner AND removed_at IS NULL""")
                .param("paused", paused).param("id", id).param("owner", owner).update() == 1;
    }

    /** Renames the owner's device; the name then outlives the agent's own (see {@link #upsert}). */
    boolean rename(UUID owner, UUID id, String name) {
        return jdbc.sql("""
                        UPDATE nodes SET device_name = :name, name_set_by_owner = true
                        WHERE id = :id AND owner_user_id = :owner AND removed_at IS NULL""")
                .param("name", name).param("id", id).param("owner", owner).update() == 1;
    }

    /** Marks the owner's device removed and paused; false when it is not theirs or already removed. */
    boolean remove(UUID owner, UUID id) {
        return jdbc.sql("""
                        UPDATE nodes SET removed_at = now(), paused_at = COALESCE(paused_at, now())
                        WHERE id = :id AND owner_user_id = :owner AND removed_at IS NULL""")
                .param("id", id).param("owner", owner).update() == 1;
    }

    /** Registry totals over every node row, for {@code NodesService.network()}. */
    Totals totals() {
        return jdbc.sql("""
                        SELECT count(*) AS nodes, COALESCE(sum(quality_score), 0) AS quality,
                               COALESCE(sum(bandwidth_bytes), 0) AS bytes, COALESCE(sum(total_requests), 0) AS requests,
                               COALESCE(sum(successful_requests), 0) AS successes
                        FROM nodes""")
                .query((rs, n) -> new Totals(rs.getInt("nodes"), rs.getLong("quality"), rs.getLong("bytes"),
                        rs.getLong("requests"), rs.getLong("successes")))
                .single();
    }

    /**
     * The nodes in scope ({@code ownerUserId}'s, every node when null) counted and summed per
     * country ({@code "??"} when unknown), platform (lower case, {@code "unknown"}) and connection
     * type ({@code "unknown"}), in one grouped query: the statistics of {@code /api/nodes} without
     * loading every node (docs/scale.md#node-list).
     */
    List<StatsGroup> statsGroups(@Nullable UUID ownerUserId) {
        return where(ownerUserId, NodeFilter.ALL, """
                        SELECT COALESCE(country, '??') AS country, lower(COALESCE(platform, 'unknown')) AS platform,
                               COALESCE(connection_type, 'unknown') AS connection_type, count(*) AS nodes,
                               COALESCE(sum(quality_score), 0) AS quality, COALESCE(sum(bandwidth_bytes), 0) AS bytes,
                               COALESCE(sum(total_requests), 0) AS requests,
                               COALESCE(sum(successful_requests), 0) AS successes
                        FROM nodes""", " GROUP BY 1, 2, 3")
                .query((rs, n) -> new StatsGroup(rs.getString("country"), rs.getString("platform"),
                        rs.getString("connection_type"), rs.getInt("nodes"), rs.getLong("quality"), rs.getLong("bytes"),
                        rs.getLong("requests"), rs.getLong("successes")))
                .list();
    }

    /** One group of {@link #statsGroups}. */
    record StatsGroup(String country, String platform, String connectionType, int nodes, long qualitySum, long bytes,
            long requests, long successes) {}

    /** Sums over node rows: {@code qualitySum} of quality scores, {@code bytes} carried. */
    record Totals(int nodes, long qualitySum, long bytes, long requests, long successes) {}

    Set<UUID> pausedIds() {
        return Set.copyOf(jdbc.sql("SELECT id FROM nodes WHERE paused_at IS NOT NULL").query(UUID.class).list());
    }

    private static DeviceRow mapDevice(ResultSet rs, int row) throws SQLException {
        return new DeviceRow(rs.getObject("id", UUID.class), rs.getString("device_id"),
                rs.getObject("owner_user_id", UUID.class), rs.getString("device_name"), rs.getString("install_method"),
                rs.getString("sdk_version"), rs.getString("platform"), rs.getString("country"), rs.getString("city"),
                rs.getString("status"), rs.getTimestamp("paused_at") != null, rs.getBoolean("local_exit"),
                instant(rs.getTimestamp("connected_since")), instant(rs.getTimestamp("last_heartbeat")),
                rs.getTimestamp("created_at").toInstant(), instant(rs.getTimestamp("removed_at")),
                instant(rs.getTimestamp("last_id_clash_at")), hostOf(rs.getString("last_id_clash_ip")));
    }

    /** {@code inet}'s text form without a host prefix length ({@code 203.0.113.9/32} → {@code 203.0.113.9}). */
    private static @Nullable String hostOf(@Nullable String inet) {
        if (inet == null) {
            return null;
        }
        int slash = inet.indexOf('/');
        return slash < 0 ? inet : inet.substring(0, slash);
    }

    /** A {@code nodes} row as the device registry reads it. */
    record DeviceRow(UUID id, String deviceId, UUID ownerId, @Nullable String name, @Nullable String installMethod,
            @Nullable String nodeVersion, @Nullable String platform, @Nullable String country, @Nullable String city,
            String status, boolean paused, boolean localExit, @Nullable Instant connectedSince,
            @Nullable Instant lastHeartbeat, Instant createdAt, @Nullable Instant removedAt,
            @Nullable Instant lastIdClashAt, @Nullable String lastIdClashFrom) {}

    /** What a node agent's admission writes. */
    record NodeRegistration(String deviceId, UUID ownerUserId, UUID nodeKeyId, @Nullable String deviceName,
            @Nullable String platform, @Nullable String sdkVersion, @Nullable String ipAddress, @Nullable String country,
            @Nullable String countryName, @Nullable String region, @Nullable String city, int asn, @Nullable String isp,
            @Nullable String connectionType, boolean localExit) {}

    record UpsertResult(UUID id, String status) {}

    /** A {@code nodes} row. */
    record NodeRow(UUID id, String deviceId, UUID ownerUserId, @Nullable String deviceName, @Nullable String platform,
            @Nullable String sdkVersion, @Nullable String ipAddress, @Nullable String country, @Nullable String countryName,
            @Nullable String city, @Nullable String region, int asn, @Nullable String isp, @Nullable String connectionType,
            String status, boolean paused, boolean removed, boolean localExit, int qualityScore, long bandwidthBytes,
            long totalRequests,
            long successfulRequests, @Nullable Instant lastHeartbeat, @Nullable Instant connectedSince, Instant createdAt,
            @Nullable Instant lastIdClashAt, @Nullable Double successShare, @Nullable Double ttfbMillis,
            @Nullable Double throughputMbps) {}
}
