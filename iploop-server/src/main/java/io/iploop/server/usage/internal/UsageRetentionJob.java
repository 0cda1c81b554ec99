package io.iploop.server.usage.internal;

import io.iploop.server.jobs.ScheduledJob;
import io.iploop.server.usage.UsageRetentionService;
import java.time.Clock;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * {@code usage-retention}, daily at 03:17 UTC under the cluster-wide job lock (docs/privacy.md#retention):
 * moves per-request usage rows older than the retention setting into daily aggregates, 5,000 rows
 * per transaction. Idempotent. Thread-safe.
 */
@Component
class UsageRetentionJob implements ScheduledJob {

    static final int BATCH = 5_000;

    private final UsageRetentionService retention;
    private final Clock clock;

    UsageRetentionJob(UsageRetentionService retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "usage-retention";
    }

    @Override
    public String cron() {
        return "0 17 3 * * *";
    }

    @Override
    public Duration lockAtMostFor() {
        return Duration.ofHours(2);
    }

    @Override
    public String run() {
        UsageRetentionService.Run r = retention.purge(clock.instant(), BATCH);
        return "moved " + r.rowsMoved() + " per-request usage rows of " + r.days() + " days before " + r.cutoff()
                + " into daily aggregates";
    }
}
