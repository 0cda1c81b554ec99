package io.iploop.server.usage;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Retention of per-request usage rows (docs/privacy.md#retention): rows older than {@link
 * Settings#perRequestDays()} whole UTC days are moved into per-account daily aggregates, which are
 * kept; each batch deletes rows only in the transaction that adds them to their day's aggregate, so
 * the totals per account and day never change. Thread-safe.
 */
public interface UsageRetentionService {

    /** Smallest and largest accepted {@code perRequestDays}. */
    int MIN_DAYS = 1;
    int MAX_DAYS = 3650;

    Settings settings();

    /**
     * Sets how many days per-request rows are kept (audited as {@code usage_retention_changed}).
     *
     * @throws UsageException {@code INVALID_RETENTION} (400, field {@code perRequestDays}) outside
     *     {@link #MIN_DAYS}..{@link #MAX_DAYS}
     */
    Settings update(UUID adminId, int perRequestDays);

    /**
     * Moves every per-request row that started before the UTC midnight {@code perRequestDays} days
     * before {@code now} into the daily aggregates, in batches of {@code batchSize}. Idempotent; the
     * {@code usage-retention} job calls it daily under the cluster lock.
     */
    Run purge(Instant now, int batchSize);

    /**
     * The retention setting.
     *
     * @param perRequestDays whole days per-request rows are kept (default 90)
     * @param updatedBy the admin who last changed it, or null for the default
     */
    record Settings(int perRequestDays, Instant updatedAt, @Nullable UUID updatedBy) {}

    /**
     * What one purge did.
     *
     * @param cutoff rows that started before this instant were moved
     * @param rowsMoved per-request rows deleted after being added to their day's aggregate
     * @param days UTC days touched
     */
    record Run(Instant cutoff, long rowsMoved, int days) {}
}
