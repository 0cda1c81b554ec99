package io.iploop.server.billing.internal;

import io.iploop.server.jobs.ScheduledJob;
import org.springframework.stereotype.Component;

/**
 * {@code billing-credit-watch}, every minute (docs/billing.md#low-balance-alerts, #auto-top-up):
 * low-balance alerts and auto top-ups of the prepaid credits. Idempotent (each fires once per
 * crossing, {@link CreditWatch}). Thread-safe.
 */
@Component
class CreditWatchJob implements ScheduledJob {

    private final CreditWatch watch;

    CreditWatchJob(CreditWatch watch) {
        this.watch = watch;
    }

    @Override
    public String name() {
        return "billing-credit-watch";
    }

    @Override
    public String cron() {
        return "30 * * * * *";
    }

    @Override
    public String run() {
        return "sent " + watch.evaluate() + " credit alerts and auto top-ups";
    }
}
