package io.iploop.server.usage.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.usage.UsageException;
import io.iploop.server.usage.UsageRetentionService;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@link UsageRetentionService} (docs/privacy.md#retention). A day is processed in batches, each its
 * own transaction that deletes up to {@code batchSize} rows of the day and adds exactly those rows
 * to their accounts' aggregates ({@code DELETE ... RETURNING} feeding an {@code INSERT ... ON
 * CONFLICT DO UPDATE} that adds): a row is never gone without being counted, nor counted twice. Before
 * and after a day the job compares the day's totals (aggregates plus remaining rows) and logs an
 * error if they differ. Thread-safe.
 */
@Service
class DefaultUsageRetentionService implements UsageRetentionService {

    private static final Logger log = LoggerFactory.getLogger(DefaultUsageRetentionService.class);

    private final JdbcClient jdbc;
    private final AuditService audit;
    private final TransactionTemplate tx;

    DefaultUsageRetentionService(JdbcClient jdbc, AuditService audit, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.tx = new TransactionTemplate(transactions);
    }

    @Override
    public Settings settings() {
        return jdbc.sql("SELECT per_request_days, updated_at, updated_by FROM usage_retention_settings")
                .query((rs, n) -> new Settings(rs.getInt(1), rs.getTimestamp(2).toInstant(),
                        rs.getObject(3, UUID.class)))
                .single();
    }

    @Override
    @Transactional
    public Settings update(UUID adminId, int perRequestDays) {
        if (perRequestDays < MIN_DAYS || perRequestDays > MAX_DAYS) {
            throw new UsageException(UsageException.Reason.INVALID_RETENTION, "perRequestDays: " + perRequestDays
                    + " (expected: " + MIN_DAYS + "-" + MAX_DAYS + ")", "perRequestDays");
        }
        int old = settings().perRequestDays();
        jdbc.sql("UPDATE usage_retention_settings SET per_request_days = :days, updated_at = now(), updated_by = :admin")
                .param("days", perRequestDays).param("admin", adminId).update();
        audit.record(new AuditEvent(adminId, AuditAction.USAGE_RETENTION_CHANGED, "setting", "usage_retention",
                Map.of("perRequestDays", old + " -> " + perRequestDays)));
        return settings();
    }

    @Override
    public Run purge(Instant now, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " (expected: > 0)");
        }
        int days = settings().perRequestDays();
        Instant cutoff = LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(days).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<LocalDate> old = jdbc.sql("""
                        SELECT DISTINCT (started_at AT TIME ZONE 'UTC')::date AS day FROM usage_records
                        WHERE started_at < :cutoff ORDER BY day""")
                .param("cutoff", Timestamp.from(cutoff)).query(LocalDate.class).list();
        long moved = 0;
        for (LocalDate day : old) {
            Totals before = totals(day);
            long n;
            do {
                n = tx.execute(status -> moveBatch(day, cutoff, batchSize));
                moved += n;
            } while (n == batchSize);
            Totals after = totals(day);
            if (!before.equals(after)) {
                // Only a row of that day written concurrently (a late replay) can cause this; it is then counted anyway.
                log.error("usage retention: totals of {} changed while moving rows: {} -> {}", day, before, after);
            }
        }
        if (moved > 0) {
            log.info("usage retention: moved {} per-request rows of {} days before {} into daily aggregates", moved,
                    old.size(), cutoff);
        }
        return new Run(cutoff, moved, old.size());
    }

    /** Deletes up to {@code limit} rows of {@code day} started before {@code cutoff}, adding them to the aggregates. */
    private long moveBatch(LocalDate day, Instant cutoff, int limit) {
        Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return jdbc.sql("""
                        WITH gone AS (
                            DELETE FROM usage_records WHERE id IN (
                                SELECT id FROM usage_records
                                WHERE started_at >= :from AND started_at < :to AND started_at < :cutoff
                                LIMIT :limit FOR UPDATE SKIP LOCKED)
                            RETURNING user_id, request_count, bytes_downloaded, bytes_uploaded, success),
                        added AS (
                            INSERT INTO usage_daily AS d (user_id, day, records, request_count, bytes_downloaded,
                                                          bytes_uploaded, success_count)
                            SELECT user_id, CAST(:day AS date), count(*), sum(request_count), sum(bytes_downloaded), sum(bytes_uploaded),
                                   count(*) FILTER (WHERE success)
                            FROM gone GROUP BY user_id
                            ON CONFLICT (user_id, day) DO UPDATE SET
                                records = d.records + EXCLUDED.records,
                                request_count = d.request_count + EXCLUDED.request_count,
                                bytes_downloaded = d.bytes_downloaded + EXCLUDED.bytes_downloaded,
                                bytes_uploaded = d.bytes_uploaded + EXCLUDED.bytes_uploaded,
                                success_count = d.success_count + EXCLUDED.success_count,
                                updated_at = now())
                        SELECT count(*) FROM gone""")
                .param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
                .param("cutoff", Timestamp.from(cutoff)).param("limit", limit).param("day", day)
                .query(Long.class).single();
    }

    /** The day's totals over all accounts: aggregates plus the per-request rows still there. */
    private Totals totals(LocalDate day) {
        Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return jdbc.sql("""
                        SELECT coalesce(sum(records), 0), coalesce(sum(request_count), 0),
                               coalesce(sum(bytes_downloaded), 0), coalesce(sum(bytes_uploaded), 0)
                        FROM (SELECT records, request_count, bytes_downloaded, bytes_uploaded FROM usage_daily WHERE day = :day
                              UNION ALL
                              SELECT 1, request_count, bytes_downloaded, bytes_uploaded FROM usage_records
                              WHERE started_at >= :from AND started_at < :to) t""")
                .param("day", day).param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
                .query((rs, n) -> new Totals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))).single();
    }

    private record Totals(long records, long requests, long bytesDown, long bytesUp) {}
}
