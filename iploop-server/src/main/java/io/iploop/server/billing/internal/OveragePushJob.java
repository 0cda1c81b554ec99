package io.iploop.server.billing.internal;

import io.iploop.server.jobs.ScheduledJob;
import org.springframework.stereotype.Component;

/**
 * {@code billing-overage-push}, every 10 minutes (docs/billing.md#overage): pushes to Stripe the
 * overage items of card subscriptions that Stripe did not take right after their period closed.
 * Idempotent (Stripe's idempotency key per subscription and period, {@link OverageBilling}). Thread-safe.
 */
@Component
class OveragePushJob implements ScheduledJob {

    private final OverageBilling overage;

    OveragePushJob(OverageBilling overage) {
        this.overage = overage;
    }

    @Override
    public String name() {
        return "billing-overage-push";
    }

    @Override
    public String cron() {
        return "15 */10 * * * *";
    }

    @Override
    public String run() {
        return "pushed " + overage.pushPending() + " overage items to Stripe";
    }
}
