package io.iploop.server.usage.internal;

import io.iploop.server.usage.NodeTraffic;
import io.iploop.server.usage.TargetTraffic;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.server.usage.PlatformUsage;
import io.iploop.server.usage.UsageBucket;
import io.iploop.server.usage.UsageEntry;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code usage_records}: the gateway's batch insert and the analytics reads. Every read
 * takes the user id and a period {@code [from, to)}; one builder ({@link #scoped}) adds both.
 * Thread-safe.
 */
@Repository
class UsageRepository {

    private final JdbcTemplate template;
    private final JdbcClient jdbc;

    UsageRepository(JdbcTemplate template, JdbcClient jdbc) {
        this.template = template;
        this.jdbc = jdbc;
    }

    /**
     * Inserts the batch, whose records {@link UsageRecordSanitizer} has cleaned (text bounded to the
     * column lengths); records whose id exists already are skipped. Returns the records inserted.
     *
     * <p>One statement per batch ({@code INSERT … SELECT FROM unnest(arrays) ON CONFLICT (id) DO
     * NOTHING RETURNING id}) instead of one executed statement per record: PostgreSQL plans and
     * starts the executor once for the whole batch, which was most of its CPU per metered request
     * (iploop-bench/PROFILE.md, round 4). {@code RETURNING} names exactly the rows inserted, so a
     * retried batch still reports only the records it stored now (the caller bills only those). A
     * record whose id occurs twice in one batch is inserted and reported once. Timestamps are rounded
     * to microseconds half-up, as the driver did for a bound {@code OffsetDateTime}.
     */
    List<UsageRecord> insertBatch(List<UsageRecord> batch) {
        if (batch.isEmpty()) {
            return List.of();
        }
        int n = batch.size();
        String[][] cols = new String[20][n];
        for (int i = 0; i < n; i++) {
            UsageRecord r = batch.get(i);
            cols[0][i] = r.id().toString();
            cols[1][i] = r.userId().toString();
            cols[2][i] = text(r.apiKeyId());
            cols[3][i] = text(r.nodeId());
            cols[4][i] = r.sessionId();
            cols[5][i] = Long.toString(r.bytesDownloaded());
            cols[6][i] = Long.toString(r.bytesUploaded());
            cols[7][i] = Integer.toString(r.requestCount());
            cols[8][i] = r.targetCountry();
            cols[9][i] = r.targetCity();
            cols[10][i] = r.targetHost();
            cols[11][i] = r.proxyType();
            cols[12][i] = Boolean.toString(r.success());
            cols[13][i] = r.errorMessage();
            cols[14][i] = micros(r.startedAt());
            cols[15][i] = micros(r.endedAt());
            Integer status = r.httpStatus();
            cols[16][i] = status != null && status >= 100 && status <= 599 ? status.toString() : null;
            cols[17][i] = text(r.targetPort());
            cols[18][i] = text(r.subUserId());
            cols[19][i] = text(r.poolPort());
        }
        List<UUID> ids = template.execute((ConnectionCallback<List<UUID>>) con -> {
            try (PreparedStatement ps = con.prepareStatement(INSERT_BATCH)) {
                for (int c = 0; c < cols.length; c++) {
                    ps.setArray(c + 1, con.createArrayOf("text", cols[c]));
                }
                List<UUID> out = new ArrayList<>(n);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getObject(1, UUID.class));
                    }
                }
                return out;
            }
        });
        Set<UUID> stored = new HashSet<>(ids == null ? List.of() : ids);
        List<UsageRecord> inserted = new ArrayList<>(stored.size());
        for (UsageRecord r : batch) {
            if (stored.remove(r.id())) {
                inserted.add(r);
            }
        }
        return inserted;
    }

    private static final String INSERT_BATCH = """
            INSERT INTO usage_records (id, user_id, api_key_id, node_id, session_id, bytes_downloaded,
                                       bytes_uploaded, request_count, target_country, target_city,
                                       target_host, proxy_type, success, error_message, started_at, ended_at,
                                       http_status, target_port, sub_user_id, pool_port)
            SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::bigint[], ?::bigint[],
                                 ?::integer[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::text[],
                                 ?::timestamptz[], ?::timestamptz[], ?::smallint[], ?::integer[], ?::uuid[],
                                 ?::integer[])
            ON CONFLICT (id) DO NOTHING
            RETURNING id""";

    private static @Nullable String text(@Nullable Object value) {
        return value == null ? null : value.toString();
    }

    /** ISO-8601 UTC with at most 6 fraction digits, rounded half-up (the driver's rounding of a bound timestamp). */
    private static String micros(Instant at) {
        return at.plusNanos(500).truncatedTo(ChronoUnit.MICROS).toString();
    }

    /** Totals over every account within {@code [from, to)} (admin statistics). */
    PlatformUsage platformTotals(Instant from, Instant to) {
        return jdbc.sql("""
                        SELECT COALESCE(sum(bytes_uploaded), 0) AS up, COALESCE(sum(bytes_downloaded), 0) AS down,
                               COALESCE(sum(request_count), 0) AS requests,
                               count(*) FILTER (WHERE request_count > 0) AS streams,
                               count(DISTINCT user_id) AS accounts
                        FROM usage_records WHERE started_at >= :from AND started_at < :to""")
                .param("from", utc(from)).param("to", utc(to))
                .query((rs, n) -> new PlatformUsage(from, to, rs.getLong("up"), rs.getLong("down"),
                        rs.getLong("up") + rs.getLong("down"), rs.getLong("requests"), rs.getLong("streams"),
                        rs.getLong("accounts")))
                .single();
    }

    /** Totals of one account within {@code [from, to)}. */
    Totals totals(UUID userId, @Nullable UUID subUser, Instant from, Instant to) {
        return run(bySubUser(totalsQuery(userId, from, to), subUser), (rs, n) -> new Totals(rs.getLong("up"), rs.getLong("down"),
                rs.getLong("requests"), rs.getLong("streams"), rs.getLong("ok"), rs.getLong("avg_ms"))).getFirst();
    }

    /**
     * One account's usage within {@code [from, to)} grouped by {@code dimension}, ordered as it
     * says, at most {@code limit} buckets (null: all).
     */
    List<UsageBucket> breakdown(UUID userId, @Nullable UUID subUser, Instant from, Instant to, Dimension dimension,
            @Nullable Integer limit) {
        return run(bySubUser(breakdownQuery(userId, from, to, dimension, limit), subUser), (rs, n) -> new UsageBucket(rs.getString("k"), null,
                rs.getLong("up"), rs.getLong("down"), rs.getLong("up") + rs.getLong("down"), rs.getLong("requests"),
                rs.getLong("streams"), rs.getLong("ok")));
    }

    /** One account's newest {@code limit} records within {@code [from, to)}, newest first. */
    List<UsageEntry> recent(UUID userId, @Nullable UUID subUser, Instant from, Instant to, int limit) {
        return run(bySubUser(recentQuery(userId, from, to, limit), subUser), UsageRepository::entry);
    }

    /**
     * {@code q} narrowed to one sub-user's records (docs/sub-users.md#usage), or {@code q} itself for
     * null: the condition goes right after the account-and-period scope, before any grouping.
     */
    static Query bySubUser(Query q, @Nullable UUID subUser) {
        if (subUser == null) {
            return q;
        }
        String scope = "WHERE user_id = :userId AND started_at >= :from AND started_at < :to\n";
        int at = q.sql().indexOf(scope);
        if (at < 0) {
            throw new IllegalStateException("not a scoped query: " + q.sql());
        }
        Map<String, Object> params = new HashMap<>(q.params());
        params.put("subUser", subUser);
        int end = at + scope.length();
        return new Query(q.sql().substring(0, end) + "AND sub_user_id = :subUser\n" + q.sql().substring(end), params);
    }

    /**
     * One page of an account's records within {@code [from, to)} matching {@code filter}, by
     * {@code started_at} (ties by id), walking the {@code (user_id, started_at)} index.
     */
    List<UsageEntry> recent(UUID userId, Instant from, Instant to, RecordFilter filter, boolean oldestFirst, long offset,
            int limit) {
        String direction = oldestFirst ? "ASC" : "DESC";
        Map<String, Object> params = new HashMap<>(filter.params());
        params.put("limit", limit);
        params.put("offset", offset);
        return run(scoped(userId, from, to, RECENT_COLUMNS, filter.conditions()
                + "ORDER BY started_at " + direction + ", id " + direction + " LIMIT :limit OFFSET :offset", params),
                UsageRepository::entry);
    }

    /** How many of an account's records within {@code [from, to)} match {@code filter}. */
    long count(UUID userId, Instant from, Instant to, RecordFilter filter) {
        Query q = scoped(userId, from, to, "count(*)", filter.conditions(), filter.params());
        return jdbc.sql(q.sql()).params(q.params()).query(Long.class).single();
    }

    /** Validated filters of the record log; null matches everything. */
    record RecordFilter(@Nullable Boolean success, @Nullable String targetCountry, @Nullable String proxyType,
            @Nullable UUID subUser) {

        /** {@code AND …} conditions on the bound parameters, ending in a newline, or empty. */
        String conditions() {
            StringBuilder sb = new StringBuilder();
            if (success != null) {
                sb.append("AND success = :success\n");
            }
            if (targetCountry != null) {
                sb.append("AND target_country = :targetCountry\n");
            }
            if (proxyType != null) {
                sb.append("AND proxy_type = :proxyType\n");
            }
            if (subUser != null) {
                sb.append("AND sub_user_id = :subUser\n");
            }
            return sb.toString();
        }

        Map<String, Object> params() {
            Map<String, Object> p = new HashMap<>();
            if (success != null) {
                p.put("success", success);
            }
            if (targetCountry != null) {
                p.put("targetCountry", targetCountry);
            }
            if (proxyType != null) {
                p.put("proxyType", proxyType);
            }
            if (subUser != null) {
                p.put("subUser", subUser);
            }
            return p;
        }
    }

    private static UsageEntry entry(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new UsageEntry(
                rs.getObject("id", UUID.class), rs.getObject("api_key_id", UUID.class), rs.getString("target_host"),
                rs.getString("target_country"), rs.getString("proxy_type"), rs.getObject("http_status", Integer.class),
                rs.getBoolean("success"), rs.getString("error_message"), rs.getLong("bytes_uploaded"),
                rs.getLong("bytes_downloaded"), rs.getLong("request_count"),
                rs.getObject("started_at", OffsetDateTime.class).toInstant(), rs.getLong("duration_ms"),
                rs.getObject("sub_user_id", UUID.class));
    }

    private <T> List<T> run(Query q, RowMapper<T> mapper) {
        return jdbc.sql(q.sql()).params(q.params()).query(mapper).list();
    }

    /** What a breakdown groups by: its SQL expression and its order. */
    enum Dimension {
        DATE("date", "(started_at AT TIME ZONE 'UTC')::date", "k"),
        HOUR("hour", "extract(hour FROM started_at AT TIME ZONE 'UTC')::int", "k"),
        COUNTRY("country", "target_country", BY_BYTES),
        API_KEY("api_key", "api_key_id", BY_BYTES),
        SUB_USER("sub_user", "sub_user_id", BY_BYTES),
        HTTP_STATUS("http_status", "http_status", "k NULLS LAST"),
        DOMAIN("domain", "target_host", BY_BYTES);

        final String name;
        final String expression;
        final String order;

        Dimension(String name, String expression, String order) {
            this.name = name;
            this.expression = expression;
            this.order = order;
        }
    }

    private static final String BY_BYTES = "sum(bytes_uploaded) + sum(bytes_downloaded) DESC, k NULLS LAST";

    /**
     * Sums shared by the totals and every breakdown; {@code ok} counts successful streams. A record
     * with no request is an interim piece of a long stream (docs/product/usage.md#interim-records):
     * its bytes count, but it is not a stream of its own.
     */
    private static final String AGGREGATES = """
            COALESCE(sum(bytes_uploaded), 0)   AS up,
                   COALESCE(sum(bytes_downloaded), 0) AS down,
                   COALESCE(sum(request_count), 0)    AS requests,
                   count(*) FILTER (WHERE request_count > 0)             AS streams,
                   count(*) FILTER (WHERE success AND request_count > 0) AS ok""";

    static Query totalsQuery(UUID userId, Instant from, Instant to) {
        return scoped(userId, from, to, AGGREGATES + ",\n       COALESCE(round(avg(duration_ms)), 0) AS avg_ms", "", Map.of());
    }

    static Query breakdownQuery(UUID userId, Instant from, Instant to, Dimension dimension, @Nullable Integer limit) {
        return scoped(userId, from, to, dimension.expression + " AS k,\n       " + AGGREGATES,
                "GROUP BY 1 ORDER BY " + dimension.order + (limit == null ? "" : " LIMIT :limit"),
                limit == null ? Map.of() : Map.of("limit", limit));
    }

    private static final String RECENT_COLUMNS = """
            id, api_key_id, target_host, target_country, proxy_type, http_status, success, error_message,
                   bytes_uploaded, bytes_downloaded, request_count, started_at, duration_ms, sub_user_id""";

    static Query recentQuery(UUID userId, Instant from, Instant to, int limit) {
        return scoped(userId, from, to, RECENT_COLUMNS, "ORDER BY started_at DESC LIMIT :limit", Map.of("limit", limit));
    }

    /**
     * The one place that scopes a query to an account and a period: {@code SELECT select FROM
     * usage_records WHERE user_id = :userId AND started_at in [from, to) tail}, served by the index
     * {@code (user_id, started_at)}.
     */
    private static Query scoped(UUID userId, Instant from, Instant to, String select, String tail, Map<String, Object> extra) {
        Map<String, Object> params = new HashMap<>(extra);
        params.put("userId", userId);
        params.put("from", utc(from));
        params.put("to", utc(to));
        return new Query("SELECT " + select + "\nFROM usage_records\nWHERE user_id = :userId AND started_at >= :from AND started_at < :to\n"
                + tail, params);
    }

    /** SQL text and its named parameters. */
    record Query(String sql, Map<String, Object> params) {}

    private static OffsetDateTime utc(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    record Totals(long bytesUploaded, long bytesDownloaded, long requests, long streams, long successes, long avgDurationMs) {}

    /** Records to {@code host} started within {@code [from, to)}, grouped by node and customer. */
    List<TargetTraffic> trafficTo(String host, Instant from, Instant to, int limit) {
        return jdbc.sql("""
                        SELECT node_id, user_id, count(*) AS requests, COALESCE(sum(total_bytes), 0) AS bytes,
                               min(started_at) AS first_seen, max(started_at) AS last_seen
                        FROM usage_records
                        WHERE lower(target_host) = lower(:host) AND started_at >= :from AND started_at < :to
                        GROUP BY node_id, user_id ORDER BY bytes DESC, requests DESC LIMIT :limit""")
                .param("host", host).param("from", java.sql.Timestamp.from(from)).param("to", java.sql.Timestamp.from(to))
                .param("limit", limit)
                .query((rs, n) -> new TargetTraffic(rs.getObject("node_id", UUID.class), rs.getObject("user_id", UUID.class),
                        rs.getLong("requests"), rs.getLong("bytes"), rs.getTimestamp("first_seen").toInstant(),
                        rs.getTimestamp("last_seen").toInstant()))
                .list();
    }

    /**
     * Per UTC day, lower-cased host and destination port (null port: records without one), newest day
     * first, most bytes first, {@code perDay} host:port rows a day.
     */
    List<io.iploop.server.usage.NodeTrafficCustomers> nodeTraffic(UUID nodeId, Instant from, Instant to, int perDay) {
        return jdbc.sql("""
                        SELECT day, host, port, up, down, streams, customers, customer_ids FROM (
                            SELECT (started_at AT TIME ZONE 'UTC')::date AS day, lower(target_host) AS host,
                                   target_port AS port,
                                   sum(bytes_uploaded) AS up, sum(bytes_downloaded) AS down, count(*) AS streams,
                                   count(DISTINCT user_id) AS customers,
                                   array_agg(DISTINCT user_id) FILTER (WHERE user_id IS NOT NULL) AS customer_ids,
                                   row_number() OVER (PARTITION BY (started_at AT TIME ZONE 'UTC')::date
                                                      ORDER BY sum(total_bytes) DESC, lower(target_host),
                                                               target_port NULLS FIRST) AS rank
                            FROM usage_records
                            WHERE node_id = :node AND started_at >= :from AND started_at < :to
                            GROUP BY 1, 2, 3) per_host
                        WHERE rank <= :perDay
                        ORDER BY day DESC, up + down DESC, host, port NULLS FIRST""")
                .param("node", nodeId).param("from", java.sql.Timestamp.from(from)).param("to", java.sql.Timestamp.from(to))
                .param("perDay", perDay)
                .query((rs, n) -> new io.iploop.server.usage.NodeTrafficCustomers(
                        new NodeTraffic(rs.getObject("day", java.time.LocalDate.class), rs.getString("host"),
                                rs.getObject("port", Integer.class), rs.getLong("up"), rs.getLong("down"), rs.getLong("streams"),
                                rs.getLong("customers")),
                        customerIds(rs.getArray("customer_ids"))))
                .list();
    }

    private static java.util.Set<UUID> customerIds(java.sql.@org.jspecify.annotations.Nullable Array array)
            throws java.sql.SQLException {
        if (array == null) {
            return java.util.Set.of();
        }
        java.util.Set<UUID> out = new java.util.HashSet<>();
        for (Object id : (Object[]) array.getArray()) {
            out.add((UUID) id);
        }
        return out;
    }

    /** Metered bytes (both directions) of the node's records per UTC day the records started on. */
    Map<java.time.LocalDate, Long> nodeDailyBytes(UUID nodeId, Instant from, Instant to) {
        Map<java.time.LocalDate, Long> out = new java.util.TreeMap<>();
        jdbc.sql("""
                        SELECT (started_at AT TIME ZONE 'UTC')::date AS day, sum(total_bytes) AS bytes
                        FROM usage_records
                        WHERE node_id = :node AND started_at >= :from AND started_at < :to
                        GROUP BY 1""")
                .param("node", nodeId).param("from", java.sql.Timestamp.from(from)).param("to", java.sql.Timestamp.from(to))
                .query(rs -> {
                    out.put(rs.getObject("day", java.time.LocalDate.class), rs.getLong("bytes"));
                });
        return out;
    }

    long poolBytesSince(UUID userId, Instant since) {
        return jdbc.sql("""
                        SELECT coalesce(sum(bytes_downloaded + bytes_uploaded), 0) FROM usage_records
                        WHERE user_id = :uid AND pool_port IS NOT NULL AND started_at >= :since""")
                .param("uid", userId).param("since", java.sql.Timestamp.from(since))
                .query(Long.class).single();
    }

    List<io.iploop.server.usage.PoolTraffic> poolTraffic(Instant from, Instant to, int limit) {
        return jdbc.sql("""
                        SELECT user_id, pool_port, sum(bytes_downloaded) AS down, sum(bytes_uploaded) AS up,
                               sum(request_count) AS requests
                        FROM usage_records
                        WHERE pool_port IS NOT NULL AND started_at >= :from AND started_at < :to
                        GROUP BY user_id, pool_port
                        ORDER BY sum(bytes_downloaded + bytes_uploaded) DESC, pool_port
                        LIMIT :limit""")
                .param("from", java.sql.Timestamp.from(from)).param("to", java.sql.Timestamp.from(to))
                .param("limit", limit)
                .query((rs, n) -> new io.iploop.server.usage.PoolTraffic(rs.getObject("user_id", UUID.class),
                        rs.getInt("pool_port"), rs.getLong("down"), rs.getLong("up"), rs.getLong("requests")))
                .list();
    }
}
