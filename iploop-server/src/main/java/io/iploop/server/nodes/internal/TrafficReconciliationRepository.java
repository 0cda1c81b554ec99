package io.iploop.server.nodes.internal;

import io.iploop.gateway.spi.NodeStore.NodeCounters;
import io.iploop.server.nodes.DeviceTrafficCounts;
import java.sql.Date;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code node_gateway_daily} and {@code node_agent_daily_bytes}: the two sides of the
 * agent byte reconciliation (docs/operator-transparency.md#agent-byte-reconciliation). Thread-safe.
 */
@Repository
class TrafficReconciliationRepository {

    private final JdbcTemplate template;
    private final JdbcClient jdbc;

    TrafficReconciliationRepository(JdbcTemplate template, JdbcClient jdbc) {
        this.template = template;
        this.jdbc = jdbc;
    }

    /** Longest gap between two counter flushes still counted as connected time, in seconds. */
    static final int MAX_FLUSH_GAP_SECONDS = 10;

    /**
     * Adds each delta's bytes to its node's row for the UTC day of its flush time, and the time since
     * that row's previous flush (at most {@value #MAX_FLUSH_GAP_SECONDS} s) to its connected seconds.
     */
    void addGatewayBytes(List<NodeCounters> deltas) {
        if (deltas.isEmpty()) {
            return;
        }
        template.batchUpdate("""
                        INSERT INTO node_gateway_daily (node_id, day, bytes, last_flush_at)
                        SELECT id, ?, ?, ? FROM nodes WHERE id = ?
                        ON CONFLICT (node_id, day) DO UPDATE SET
                            bytes = node_gateway_daily.bytes + EXCLUDED.bytes,
                            online_seconds = node_gateway_daily.online_seconds + GREATEST(0, LEAST(%d,
                                extract(epoch FROM EXCLUDED.last_flush_at - node_gateway_daily.last_flush_at)))::bigint,
                            last_flush_at = GREATEST(node_gateway_daily.last_flush_at, EXCLUDED.last_flush_at)"""
                        .formatted(MAX_FLUSH_GAP_SECONDS),
                deltas, 500, (ps, d) -> {
                    ps.setObject(1, LocalDate.ofInstant(d.lastHeartbeat(), ZoneOffset.UTC));
                    ps.setLong(2, d.bytes());
                    ps.setObject(3, OffsetDateTime.ofInstant(d.lastHeartbeat(), ZoneOffset.UTC));
                    ps.setObject(4, d.nodeId());
                });
    }

    /**
     * Stores one run's count for a day, keeping the larger of the stored and the reported count.
     * Returns false (storing nothing) when the node already has {@code maxRuns} other runs that day.
     */
    boolean recordAgentBytes(UUID nodeId, LocalDate day, UUID runId, long bytes, int maxRuns) {
        int updated = jdbc.sql("""
                        UPDATE node_agent_daily_bytes SET bytes = GREATEST(bytes, :bytes), reported_at = now()
                        WHERE node_id = :node AND day = :day AND run_id = :run""")
                .param("node", nodeId).param("day", Date.valueOf(day)).param("run", runId).param("bytes", bytes).update();
        if (updated > 0) {
            return true;
        }
        // Serialise new runs of one node and day, so the bound holds under concurrent reports.
        jdbc.sql("SELECT 1 FROM nodes WHERE id = :node FOR UPDATE").param("node", nodeId).query(Integer.class).optional();
        long runs = jdbc.sql("SELECT count(*) FROM node_agent_daily_bytes WHERE node_id = :node AND day = :day")
                .param("node", nodeId).param("day", Date.valueOf(day)).query(Long.class).single();
        if (runs >= maxRuns) {
            return false;
        }
        jdbc.sql("""
                        INSERT INTO node_agent_daily_bytes (node_id, day, run_id, bytes) VALUES (:node, :day, :run, :bytes)
                        ON CONFLICT (node_id, day, run_id) DO UPDATE
                            SET bytes = GREATEST(node_agent_daily_bytes.bytes, EXCLUDED.bytes), reported_at = now()""")
                .param("node", nodeId).param("day", Date.valueOf(day)).param("run", runId).param("bytes", bytes).update();
        return true;
    }

    /**
     * Every day of {@code [from, to]}, oldest first: gateway bytes and connected seconds (0 if none)
     * and agent bytes (null if none).
     */
    List<DeviceTrafficCounts> daily(UUID nodeId, LocalDate from, LocalDate to) {
        Map<LocalDate, long[]> gateway = new HashMap<>();
        jdbc.sql("""
                        SELECT day, bytes, online_seconds FROM node_gateway_daily
                        WHERE node_id = :node AND day BETWEEN :from AND :to""")
                .param("node", nodeId).param("from", Date.valueOf(from)).param("to", Date.valueOf(to))
                .query(rs -> {
                    gateway.put(rs.getObject("day", LocalDate.class),
                            new long[] {rs.getLong("bytes"), rs.getLong("online_seconds")});
                });
        Map<LocalDate, Long> agent = new HashMap<>();
        jdbc.sql("""
                        SELECT day, sum(bytes) AS bytes FROM node_agent_daily_bytes
                        WHERE node_id = :node AND day BETWEEN :from AND :to GROUP BY day""")
                .param("node", nodeId).param("from", Date.valueOf(from)).param("to", Date.valueOf(to))
                .query(rs -> {
                    agent.put(rs.getObject("day", LocalDate.class), rs.getLong("bytes"));
                });
        return from.datesUntil(to.plusDays(1)).map(d -> {
            long[] g = gateway.getOrDefault(d, new long[2]);
            return new DeviceTrafficCounts(d, g[0], agent.get(d), g[1]);
        }).toList();
    }
}
