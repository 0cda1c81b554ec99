package io.iploop.server.earn.internal;

import io.iploop.server.earn.EarnService;
import io.iploop.server.jobs.ScheduledJob;
import java.time.Clock;
import org.springframework.stereotype.Component;

/**
 * {@code earn-credits}, every 5 minutes (docs/product/earn.md#credit-calculation): credits every contribution recorded
 * before now. Idempotent and safe to overlap (see {@link EarnService#creditUpTo}); the jobs
 * feature's lock keeps scheduled runs from overlapping anyway. Thread-safe.
 */
@Component
class CreditJob implements ScheduledJob {

    private final EarnService earn;
    private final Clock clock;

    CreditJob(EarnService earn, Clock clock) {
        this.earn = earn;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "earn-credits";
    }

    @Override
    public String cron() {
        return "0 */5 * * * *";
    }

    @Override
    public String run() {
        return earn.creditUpTo(clock.instant()).summary();
    }
}
