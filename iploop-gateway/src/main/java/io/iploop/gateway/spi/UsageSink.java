package io.iploop.gateway.spi;

import java.util.List;

/**
 * Durable store for metered usage. The gateway batches records (flush every 1 s or 1 000
 * records, and on shutdown) and calls this from one dedicated thread, never from an event loop.
 */
public interface UsageSink {

    /**
     * Persists a batch; inserting a record whose id already exists must be a no-op, so a retried
     * batch never bills twice. Record fields are untrusted text (a SOCKS5 domain name may hold any
     * byte): a sink must clean them, and must never refuse the whole batch for the content of some
     * records, or usage stops for everybody; it stores the good records and sets the others aside
     * (the server bisects and dead-letters, {@code docs/security.md}).
     *
     * @throws Exception only if the store could not be used at all; the gateway keeps the batch and
     *     retries it, forever, with backoff
     */
    void write(List<UsageRecord> batch) throws Exception;
}
