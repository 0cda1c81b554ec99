package io.iploop.server.platform;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The claim, deliver and retry loop shared by the outbox workers (docs/architecture.md#rules,
 * outbox). One {@link #deliverDue()} claims up to {@code batch} due items in a short transaction
 * (the {@link Outbox} pushes their next attempt {@code lease} ahead, so another instance skips
 * them), delivers each outside any transaction, and records the outcome in a transaction of its
 * own: delivered, or failed with the next attempt after {@link RetryBackoff#after}, or given up
 * once {@code maxAttempts} attempts have failed. An instance that dies mid-delivery leaves the item
 * to be claimed again after the lease (at-least-once). Thread-safe when the {@link Outbox} is.
 *
 * @param <T> the outbox's item
 */
public final class OutboxDelivery<T> {

    private static final Logger log = LoggerFactory.getLogger(OutboxDelivery.class);

    /** What a concrete outbox provides; each method but {@link #deliver} is called inside a transaction. */
    public interface Outbox<T> {

        /**
         * Up to {@code limit} due items, each claimed for {@code lease} (its next attempt moved that
         * far ahead, with {@code FOR UPDATE SKIP LOCKED} so concurrent claims never overlap).
         */
        List<T> claimDue(int limit, Duration lease);

        /** Attempts of {@code item} that have already failed. */
        int failedAttempts(T item);

        /** Delivers {@code item}; called outside any transaction. Throws when the attempt failed. */
        void deliver(T item) throws Exception;

        /** Records the successful delivery of {@code item}. */
        void delivered(T item);

        /**
         * Records a failed attempt; {@code retryIn} is the delay before the next one, or null when
         * the item is given up.
         */
        void failed(T item, Exception error, @Nullable Duration retryIn);
    }

    private final String name;
    private final Outbox<T> outbox;
    private final RetryBackoff backoff;
    private final int maxAttempts;
    private final int batch;
    private final Duration lease;
    private final TransactionOperations tx;

    /**
     * @param name what is delivered, for the log ("mail", "webhook")
     * @param maxAttempts attempts before an item is given up (at least 1)
     * @param batch items claimed per {@link #deliverDue()} (at least 1)
     * @param lease how long a claim keeps other instances off an item; longer than one delivery may take
     */
    public OutboxDelivery(String name, Outbox<T> outbox, RetryBackoff backoff, int maxAttempts, int batch,
            Duration lease, TransactionOperations tx) {
        if (maxAttempts < 1 || batch < 1) {
            throw new IllegalArgumentException("maxAttempts and batch must be at least 1");
        }
        this.name = name;
        this.outbox = outbox;
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
        this.batch = batch;
        this.lease = lease;
        this.tx = tx;
    }

    /** Claims and delivers one batch of due items; returns how many were attempted (0 on a database failure). */
    public int deliverDue() {
        List<T> due;
        try {
            due = tx.execute(status -> outbox.claimDue(batch, lease));
        } catch (RuntimeException e) {
            log.warn("{} outbox not processed: {}", name, e.toString());
            return 0;
        }
        if (due == null) {
            return 0;
        }
        for (T item : due) {
            attempt(item);
        }
        return due.size();
    }

    private void attempt(T item) {
        Exception failure = null;
        try {
            outbox.deliver(item);
        } catch (Exception e) {
            failure = e;
        }
        try {
            if (failure == null) {
                tx.executeWithoutResult(status -> outbox.delivered(item));
                return;
            }
            int failed = outbox.failedAttempts(item) + 1;
            Duration retryIn = failed >= maxAttempts ? null : backoff.after(failed);
            log.warn("{} {}: attempt {} failed{}: {}", name, item, failed, retryIn == null ? ", giving up" : "",
                    failure.toString());
            Exception error = failure;
            tx.executeWithoutResult(status -> outbox.failed(item, error, retryIn));
        } catch (RuntimeException e) {
            // the claim's lease runs out and the item is tried again
            log.warn("{} {}: outcome not recorded: {}", name, item, e.toString());
        }
    }
}
