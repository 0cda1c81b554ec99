package io.iploop.server.billing.internal;

import io.iploop.server.jobs.ScheduledJob;
import java.time.Clock;
import org.springframework.stereotype.Component;

/**
 * {@code billing-feature-sessions}, every minute (docs/billing.md#time-based-targeting): deducts
 * the ended minutes of time-based targeting sessions from the prepaid credits and closes idle and
 * exhausted sessions. Idempotent ({@link FeatureSessions#chargeAll}). Thread-safe.
 */
@Component
class FeatureSessionJob implements ScheduledJob {

    private final FeatureSessions sessions;
    private final Clock clock;

    FeatureSessionJob(FeatureSessions sessions, Clock clock) {
        this.sessions = sessions;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "billing-feature-sessions";
    }

    @Override
    public String cron() {
        return "0 * * * * *";
    }

    @Override
    public String run() {
        return "posted " + sessions.chargeAll(clock.instant()) + " feature-session charges";
    }
}
