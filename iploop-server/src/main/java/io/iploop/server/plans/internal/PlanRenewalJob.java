package io.iploop.server.plans.internal;

import io.iploop.server.jobs.ScheduledJob;
import java.time.Clock;
import org.springframework.stereotype.Component;

/**
 * {@code plans-renewal}, every 5 minutes (docs/plans-and-alerts.md#periods-and-renewal): renews the
 * GB of every subscription whose period has ended. Idempotent ({@link PlanRenewals}): a repeated run
 * renews nothing twice. Thread-safe.
 */
@Component
class PlanRenewalJob implements ScheduledJob {

    private final PlanRenewals renewals;
    private final Clock clock;

    PlanRenewalJob(PlanRenewals renewals, Clock clock) {
        this.renewals = renewals;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "plans-renewal";
    }

    @Override
    public String cron() {
        return "0 */5 * * * *";
    }

    @Override
    public String run() {
        return "renewed " + renewals.renewDue(clock.instant()) + " periods";
    }
}
