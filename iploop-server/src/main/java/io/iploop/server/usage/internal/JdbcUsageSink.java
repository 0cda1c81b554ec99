package io.iploop.server.usage.internal;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The gateway's {@link UsageSink}: one JDBC batch in one transaction (all or nothing);
 * {@code ON CONFLICT (id) DO NOTHING} makes a retried batch a no-op for the records already stored,
 * so bytes are never billed twice. Called from one gateway thread; thread-safe anyway.
 */
@Component
class JdbcUsageSink implements UsageSink {

    private static final Logger log = LoggerFactory.getLogger(JdbcUsageSink.class);

    private final UsageRepository usage;
    private final TransactionTemplate tx;

    JdbcUsageSink(UsageRepository usage, TransactionTemplate tx) {
        this.usage = usage;
        this.tx = tx;
    }

    @Override
    public void write(List<UsageRecord> batch) {
        if (batch.isEmpty()) {
            return;
        }
        Integer inserted = tx.execute(status -> usage.insertBatch(batch));
        if (inserted != null && inserted < batch.size()) {
            log.debug("Usage batch of {}: {} already stored (retry)", batch.size(), batch.size() - inserted);
        }
    }
}
