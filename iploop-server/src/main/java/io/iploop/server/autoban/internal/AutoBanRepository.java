package io.iploop.server.autoban.internal;

import io.iploop.server.autoban.AutoBanRules;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code autoban_rules}, {@code autoban_quality_watch} and {@code autoban_actions}
 * (docs/moderation.md#auto-ban-rules). Thread-safe.
 */
@Repository
class AutoBanRepository {

    private final JdbcClient jdbc;

    AutoBanRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<AutoBanRules> rules() {
        return jdbc.sql("SELECT * FROM autoban_rules WHERE id = 1")
                .query((rs, n) -> new AutoBanRules(rs.getBoolean("quality_enabled"), rs.getInt("quality_below"),
                        rs.getInt("quality_for_minutes"), rs.getInt("quality_min_streams"),
                        rs.getInt("quality_expiry_hours"), rs.getBoolean("abuse_enabled"), rs.getInt("abuse_reports"),
                        rs.getInt("abuse_window_hours"), rs.getInt("abuse_expiry_hours"), rs.getBoolean("fraud_enabled"),
                        rs.getInt("fraud_expiry_hours")))
                .optional();
    }

    void saveRules(AutoBanRules r, UUID adminId) {
        jdbc.sql("""
                        INSERT INTO autoban_rules (id, quality_enabled, quality_below, quality_for_minutes,
                            quality_min_streams, quality_expiry_hours, abuse_enabled, abuse_reports, abuse_window_hours,
                            abuse_expiry_hours, fraud_enabled, fraud_expiry_hours, updated_at, updated_by)
                        VALUES (1, :qe, :qb, :qf, :qs, :qx, :ae, :ar, :aw, :ax, :fe, :fx, now(), :admin)
                        ON CONFLICT (id) DO UPDATE SET quality_enabled = :qe, quality_below = :qb,
                            quality_for_minutes = :qf, quality_min_streams = :qs, quality_expiry_hours = :qx,
                            abuse_enabled = :ae, abuse_reports = :ar, abuse_window_hours = :aw,
                            abuse_expiry_hours = :ax, fraud_enabled = :fe, fraud_expiry_hours = :fx,
                            updated_at = now(), updated_by = :admin""")
                .param("qe", r.qualityEnabled()).param("qb", r.qualityBelow()).param("qf", r.qualityForMinutes())
                .param("qs", r.qualityMinStreams()).param("qx", r.qualityExpiryHours())
                .param("ae", r.abuseEnabled()).param("ar", r.abuseReports()).param("aw", r.abuseWindowHours())
                .param("ax", r.abuseExpiryHours()).param("fe", r.fraudEnabled()).param("fx", r.fraudExpiryHours())
                .param("admin", adminId).update();
    }

    /** Every node whose poor score is being timed. */
    Map<UUID, Watch> watches() {
        Map<UUID, Watch> out = new HashMap<>();
        jdbc.sql("SELECT * FROM autoban_quality_watch").query(rs -> {
            out.put(rs.getObject("node_id", UUID.class), new Watch(rs.getTimestamp("low_since").toInstant(),
                    rs.getLong("streams_at_start"), rs.getInt("highest_quality"), rs.getInt("lowest_quality")));
        });
        return out;
    }

    void startWatch(UUID nodeId, Instant since, long streams, int quality) {
        jdbc.sql("""
                        INSERT INTO autoban_quality_watch (node_id, low_since, streams_at_start, highest_quality, lowest_quality)
                        VALUES (:node, :since, :streams, :q, :q) ON CONFLICT (node_id) DO NOTHING""")
                .param("node", nodeId).param("since", since.atOffset(ZoneOffset.UTC)).param("streams", streams)
                .param("q", quality).update();
    }

    void updateWatch(UUID nodeId, int quality) {
        jdbc.sql("""
                        UPDATE autoban_quality_watch SET highest_quality = GREATEST(highest_quality, :q),
                            lowest_quality = LEAST(lowest_quality, :q) WHERE node_id = :node""")
                .param("node", nodeId).param("q", quality).update();
    }

    void endWatch(UUID nodeId) {
        jdbc.sql("DELETE FROM autoban_quality_watch WHERE node_id = :node").param("node", nodeId).update();
    }

    void endAllWatches() {
        jdbc.sql("DELETE FROM autoban_quality_watch").update();
    }

    /**
     * Claims the action of {@code rule} on {@code nodeId} for {@code evidence}: true the first time,
     * false when it was done before (by this run, an earlier one or another instance).
     */
    boolean claim(String rule, UUID nodeId, String evidence) {
        return jdbc.sql("""
                        INSERT INTO autoban_actions (rule, node_id, evidence) VALUES (:rule, :node, :evidence)
                        ON CONFLICT DO NOTHING""")
                .param("rule", rule).param("node", nodeId).param("evidence", evidence).update() == 1;
    }

    void recordModeration(String rule, UUID nodeId, String evidence, UUID moderationId) {
        jdbc.sql("UPDATE autoban_actions SET moderation_id = :m WHERE rule = :rule AND node_id = :node AND evidence = :evidence")
                .param("m", moderationId).param("rule", rule).param("node", nodeId).param("evidence", evidence).update();
    }

    /**
     * A node's poor-score timer.
     *
     * @param lowSince the first evaluation that saw the score below the threshold
     * @param streamsAtStart the node's lifetime streams then
     */
    record Watch(Instant lowSince, long streamsAtStart, int highestQuality, int lowestQuality) {}
}
