package io.iploop.server.usage.internal;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.server.usage.NodeTrafficRecorded;
import io.iploop.server.usage.UsageRecorded;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The gateway's {@link UsageSink}: one JDBC batch in one transaction (all or nothing);
 * {@code ON CONFLICT (id) DO NOTHING} makes a retried batch a no-op for the records already stored,
 * so bytes are never billed twice. For the records actually inserted it publishes one
 * {@link UsageRecorded} per account inside the same transaction (the plans feature moves the bytes
 * from the balance to the used GB) and one {@link NodeTrafficRecorded} per batch (the earn feature
 * records node operators' contributions). Called from one gateway thread; thread-safe anyway.
 */
@Component
class JdbcUsageSink implements UsageSink {

    private static final Logger log = LoggerFactory.getLogger(JdbcUsageSink.class);

    private final UsageRepository usage;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;

    JdbcUsageSink(UsageRepository usage, TransactionTemplate tx, ApplicationEventPublisher events) {
        this.usage = usage;
        this.tx = tx;
        this.events = events;
    }

    @Override
    public void write(List<UsageRecord> batch) {
        if (batch.isEmpty()) {
            return;
        }
        Integer inserted = tx.execute(status -> {
            List<UsageRecord> stored = usage.insertBatch(batch);
            Map<UUID, Long> bytesByUser = new LinkedHashMap<>();
            Map<NodeTrafficRecorded.Traffic, Long> byNodeAndCustomer = new LinkedHashMap<>();
            for (UsageRecord r : stored) {
                long bytes = r.bytesDownloaded() + r.bytesUploaded();
                bytesByUser.merge(r.userId(), bytes, Long::sum);
                if (r.nodeId() != null && bytes > 0) {
                    byNodeAndCustomer.merge(new NodeTrafficRecorded.Traffic(r.nodeId(), r.userId(), 0), bytes, Long::sum);
                }
            }
            bytesByUser.forEach((userId, bytes) -> events.publishEvent(new UsageRecorded(userId, bytes)));
            if (!byNodeAndCustomer.isEmpty()) {
                events.publishEvent(new NodeTrafficRecorded(byNodeAndCustomer.entrySet().stream()
                        .map(e -> new NodeTrafficRecorded.Traffic(e.getKey().nodeId(), e.getKey().customerId(), e.getValue()))
                        .toList()));
            }
            return stored.size();
        });
        if (inserted != null && inserted < batch.size()) {
            log.debug("Usage batch of {}: {} already stored (retry)", batch.size(), batch.size() - inserted);
        }
    }
}
