package io.iploop.gateway.spi;

import java.util.List;

/**
 * Durable store for metered usage. The gateway batches records (flush every 1 s or 1 000
 * records, and on shutdown) and calls this from one dedicated thread, never from an event loop.
 */
public interface UsageSink {

    /**
     * Persists a batch atomically (all or nothing); inserting a record whose id already exists
     * must be a no-op, so a retried batch never bills twice.
     *
     * @throws Exception if the batch was not stored; the gateway keeps it and retries
     */
    void write(List<UsageRecord> batch) throws Exception;
}
