package io.iploop.server.plans.internal;

import io.iploop.server.jobs.ScheduledJob;
import org.springframework.stereotype.Component;

/**
 * {@code plans-usage-alerts}, every minute (docs/plans-and-alerts.md#usage-alerts): sends the usage
 * alerts whose threshold was reached. Idempotent ({@link UsageAlerts}: each alert at most once per
 * period). Thread-safe.
 */
@Component
class UsageAlertJob implements ScheduledJob {

    private final UsageAlerts alerts;

    UsageAlertJob(UsageAlerts alerts) {
        this.alerts = alerts;
    }

    @Override
    public String name() {
        return "plans-usage-alerts";
    }

    @Override
    public String cron() {
        return "0 * * * * *";
    }

    @Override
    public String run() {
        return "sent " + alerts.evaluate() + " usage alerts";
    }
}
