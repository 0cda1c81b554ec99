package io.iploop.server.usage.internal;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.server.usage.NodeTrafficRecorded;
import io.iploop.server.usage.SubUserUsageRecorded;
import io.iploop.server.usage.UsageRecorded;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's {@link UsageSink}. Every text field is first made storable
 * ({@link UsageRecordSanitizer}), then the batch is written in one transaction;
 * {@code ON CONFLICT (id) DO NOTHING} makes a retried batch a no-op for the records already stored,
 * so bytes are never billed twice. For the records actually inserted it publishes one
 * {@link UsageRecorded} per account inside the same transaction (the plans feature moves the bytes
 * from the balance to the used GB) and one {@link NodeTrafficRecorded} per batch (the earn feature
 * records node operators' contributions), plus one {@link SubUserUsageRecorded} per sub-user
 * (docs/sub-users.md#usage: the sub-users feature counts its traffic against its limit). Upstream-pool
 * records ({@link UsageRecord#poolPort()} set) are stored but publish no {@link UsageRecorded} or
 * {@link SubUserUsageRecorded}: pool bytes never spend the residential balance (docs/upstream-pool.md#metering).
 *
 * <p>Usage must never stop ({@code docs/security.md}): when PostgreSQL refuses the batch for its
 * content (SQLSTATE class 22 data exception or 23 integrity violation), the batch is bisected, each
 * half in its own transaction, so the good records are stored and each record refused on its own is
 * set aside in {@code usage_dead_letters} with the reason (metric {@code iploop.usage.dead_letters}).
 * Any other failure (the database is unreachable) is thrown, and the gateway retries the whole batch
 * later: the ids keep that exactly-once, for stored and set-aside records alike. Called from one
 * gateway thread; thread-safe anyway.
 */
@Component
class JdbcUsageSink implements UsageSink {

    /** Longest reason stored with a dead letter, in characters. */
    static final int MAX_REASON = 1000;

    private static final Logger log = LoggerFactory.getLogger(JdbcUsageSink.class);

    private final UsageRepository usage;
    private final UsageDeadLetterRepository deadLetters;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final JsonMapper json;
    private final Counter deadLettered;

    JdbcUsageSink(UsageRepository usage, UsageDeadLetterRepository deadLetters, TransactionTemplate tx,
            ApplicationEventPublisher events, JsonMapper json, MeterRegistry meters) {
        this.usage = usage;
        this.deadLetters = deadLetters;
        this.tx = tx;
        this.events = events;
        this.json = json;
        this.deadLettered = Counter.builder("iploop.usage.dead_letters")
                .description("usage records the database refused, set aside in usage_dead_letters")
                .register(meters);
    }

    /**
     * Stores the batch, setting aside the records the database refuses for their content.
     *
     * @throws DataAccessException if the database could not be used (nothing about one record):
     *     the caller retries the whole batch
     */
    @Override
    public void write(List<UsageRecord> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<UsageRecord> clean = new ArrayList<>(batch.size());
        for (UsageRecord r : batch) {
            clean.add(UsageRecordSanitizer.sanitize(r));
        }
        writeIsolating(clean);
    }

    /** Writes {@code records} in one transaction; if their content is refused, bisects down to single records. */
    private void writeIsolating(List<UsageRecord> records) {
        try {
            writeTransaction(records);
        } catch (DataAccessException e) {
            if (!isRefusedContent(e)) {
                throw e;
            }
            if (records.size() == 1) {
                setAside(records.getFirst(), e);
                return;
            }
            int half = records.size() / 2;
            writeIsolating(records.subList(0, half));
            writeIsolating(records.subList(half, records.size()));
        }
    }

    private void writeTransaction(List<UsageRecord> records) {
        Integer inserted = tx.execute(status -> {
            List<UsageRecord> stored = usage.insertBatch(records);
            Map<UUID, Long> bytesByUser = new LinkedHashMap<>();
            Map<List<UUID>, Long> bytesBySubUser = new LinkedHashMap<>();
            Map<NodeTrafficRecorded.Traffic, Long> byNodeAndCustomer = new LinkedHashMap<>();
            for (UsageRecord r : stored) {
                long bytes = r.bytesDownloaded() + r.bytesUploaded();
                if (r.poolPort() != null) {
                    // Upstream-pool traffic spends the pool quota (summed from usage_records.pool_port by
                    // the pool feature), never the residential plan or a sub-user's residential limit
                    // (docs/upstream-pool.md#metering).
                    continue;
                }
                bytesByUser.merge(r.userId(), bytes, Long::sum);
                if (r.subUserId() != null) {
                    bytesBySubUser.merge(List.of(r.userId(), r.subUserId()), bytes, Long::sum);
                }
                if (r.nodeId() != null && bytes > 0) {
                    byNodeAndCustomer.merge(new NodeTrafficRecorded.Traffic(r.nodeId(), r.userId(), 0), bytes, Long::sum);
                }
            }
            bytesByUser.forEach((userId, bytes) -> events.publishEvent(new UsageRecorded(userId, bytes)));
            bytesBySubUser.forEach((ids, bytes) ->
                    events.publishEvent(new SubUserUsageRecorded(ids.get(0), ids.get(1), bytes)));
            if (!byNodeAndCustomer.isEmpty()) {
                events.publishEvent(new NodeTrafficRecorded(byNodeAndCustomer.entrySet().stream()
                        .map(e -> new NodeTrafficRecorded.Traffic(e.getKey().nodeId(), e.getKey().customerId(), e.getValue()))
                        .toList()));
            }
            return stored.size();
        });
        if (inserted != null && inserted < records.size()) {
            log.debug("Usage batch of {}: {} already stored (retry)", records.size(), records.size() - inserted);
        }
    }

    private void setAside(UsageRecord record, DataAccessException cause) {
        String reason = reason(cause);
        try {
            if (deadLetters.insert(record, json.writeValueAsString(record), reason)) {
                deadLettered.increment();
                log.warn("usage record {} of account {} refused by the database and set aside: {}", record.id(),
                        record.userId(), reason);
            }
        } catch (DataAccessException e) {
            if (!isRefusedContent(e)) {
                throw e;
            }
            // Not even its dead letter can be stored (it only holds sanitised text): drop it, loudly,
            // rather than block every later record.
            deadLettered.increment();
            log.error("usage record {} refused by the database and could not be set aside, dropped: {} ({})",
                    record.id(), reason, e.getMostSpecificCause().toString());
        }
    }

    /** The database's own message, sanitised and bounded. */
    private static String reason(DataAccessException e) {
        Throwable cause = e.getMostSpecificCause();
        String text = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        String clean = UsageRecordSanitizer.clean(text, MAX_REASON);
        return clean == null ? "" : clean;
    }

    /**
     * True if the database refused the data itself (SQLSTATE class 22 "data exception" or 23
     * "integrity constraint violation", PostgreSQL appendix A), which splitting the batch can isolate;
     * false for anything about the connection or the server, which a later retry may cure.
     */
    static boolean isRefusedContent(DataAccessException e) {
        if (e instanceof DataIntegrityViolationException) {
            return true;
        }
        String state = sqlState(e);
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private static @Nullable String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    if (s.getSQLState() != null) {
                        return s.getSQLState();
                    }
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
