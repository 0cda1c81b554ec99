package io.iploop.server.usage.internal;

import io.iploop.gateway.spi.UsageRecord;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code usage_records}; every read takes the user id. Thread-safe. */
@Repository
class UsageRepository {

    private final JdbcTemplate template;
    private final JdbcClient jdbc;

    UsageRepository(JdbcTemplate template, JdbcClient jdbc) {
        this.template = template;
        this.jdbc = jdbc;
    }

    /** Inserts the batch; records whose id exists already are skipped. Returns the records inserted. */
    List<UsageRecord> insertBatch(List<UsageRecord> batch) {
        int[][] counts = template.batchUpdate("""
                        INSERT INTO usage_records (id, user_id, api_key_id, node_id, session_id, bytes_downloaded,
                                                   bytes_uploaded, request_count, target_country, target_city,
                                                   target_host, proxy_type, success, error_message, started_at, ended_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING""",
                batch, 1000, (ps, r) -> {
                    ps.setObject(1, r.id());
                    ps.setObject(2, r.userId());
                    ps.setObject(3, r.apiKeyId());
                    ps.setObject(4, r.nodeId(), Types.OTHER);
                    ps.setString(5, truncate(r.sessionId(), 255));
                    ps.setLong(6, r.bytesDownloaded());
                    ps.setLong(7, r.bytesUploaded());
                    ps.setInt(8, r.requestCount());
                    ps.setString(9, r.targetCountry() != null && r.targetCountry().length() == 2 ? r.targetCountry() : null);
                    ps.setString(10, truncate(r.targetCity(), 100));
                    ps.setString(11, truncate(r.targetHost(), 255));
                    ps.setString(12, r.proxyType());
                    ps.setBoolean(13, r.success());
                    ps.setString(14, r.errorMessage());
                    ps.setObject(15, utc(r.startedAt()));
                    ps.setObject(16, utc(r.endedAt()));
                });
        List<UsageRecord> inserted = new ArrayList<>(batch.size());
        int i = 0;
        for (int[] chunk : counts) {
            for (int c : chunk) {
                // 0: the id existed (a retried batch); SUCCESS_NO_INFO (-2) counts as inserted.
                if (c != 0) {
                    inserted.add(batch.get(i));
                }
                i++;
            }
        }
        return inserted;
    }

    Totals totals(UUID userId, Instant from) {
        return jdbc.sql("""
                        SELECT COALESCE(sum(bytes_uploaded), 0)   AS up,
                               COALESCE(sum(bytes_downloaded), 0) AS down,
                               COALESCE(sum(request_count), 0)    AS requests,
                               count(*)                           AS streams,
                               count(*) FILTER (WHERE success)    AS ok,
                               COALESCE(round(avg(duration_ms)), 0) AS avg_ms
                        FROM usage_records
                        WHERE user_id = :userId AND started_at >= :from""")
                .param("userId", userId).param("from", utc(from))
                .query((rs, n) -> new Totals(rs.getLong("up"), rs.getLong("down"), rs.getLong("requests"),
                        rs.getLong("streams"), rs.getLong("ok"), rs.getLong("avg_ms")))
                .single();
    }

    private static @org.jspecify.annotations.Nullable String truncate(@org.jspecify.annotations.Nullable String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static OffsetDateTime utc(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    record Totals(long bytesUploaded, long bytesDownloaded, long requests, long streams, long successes, long avgDurationMs) {}
}
