package io.iploop.server.usage.internal;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.server.usage.UsageDeadLetter;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code usage_dead_letters}: setting a refused usage record aside, and the admin list. Thread-safe. */
@Repository
class UsageDeadLetterRepository {

    private final JdbcClient jdbc;

    UsageDeadLetterRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Sets {@code record} (already sanitised) aside with its JSON text and the reason; a record set
     * aside before (a retried batch) is left as it is.
     *
     * @return true if the row is new
     */
    boolean insert(UsageRecord record, String json, String reason) {
        return jdbc.sql("""
                        INSERT INTO usage_dead_letters (id, user_id, api_key_id, node_id, target_host, total_bytes,
                                                        started_at, record, reason)
                        VALUES (:id, :user, :key, :node, :host, :bytes, :started, :record, :reason)
                        ON CONFLICT (id) DO NOTHING""")
                .param("id", record.id())
                .param("user", record.userId())
                .param("key", record.apiKeyId(), Types.OTHER)
                .param("node", record.nodeId(), Types.OTHER)
                .param("host", record.targetHost())
                .param("bytes", Math.max(0, record.bytesDownloaded()) + Math.max(0, record.bytesUploaded()))
                .param("started", OffsetDateTime.ofInstant(record.startedAt(), ZoneOffset.UTC))
                .param("record", json)
                .param("reason", reason)
                .update() == 1;
    }

    /** Dead letters newest first, {@code limit} from {@code offset}. */
    List<UsageDeadLetter> page(int offset, int limit) {
        return jdbc.sql("""
                        SELECT id, user_id, api_key_id, node_id, target_host, total_bytes, started_at, record, reason,
                               set_aside_at
                        FROM usage_dead_letters ORDER BY set_aside_at DESC, id LIMIT :limit OFFSET :offset""")
                .param("limit", limit).param("offset", offset)
                .query((rs, n) -> new UsageDeadLetter(rs.getObject("id", UUID.class), rs.getObject("user_id", UUID.class),
                        rs.getObject("api_key_id", UUID.class), rs.getObject("node_id", UUID.class),
                        rs.getString("target_host"), rs.getLong("total_bytes"),
                        rs.getObject("started_at", OffsetDateTime.class).toInstant(), rs.getString("record"),
                        rs.getString("reason"), rs.getObject("set_aside_at", OffsetDateTime.class).toInstant()))
                .list();
    }

    /** Dead letters in all. */
    long count() {
        return jdbc.sql("SELECT count(*) FROM usage_dead_letters").query(Long.class).single();
    }
}
