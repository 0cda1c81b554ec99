package io.iploop.server.webhooks.internal;

import io.iploop.server.jobs.ScheduledJob;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * {@code webhook-log-retention}, hourly (docs/integrations/webhooks.md#delivery-log): deletes delivery
 * attempts and finished events older than 30 days. Idempotent. Thread-safe.
 */
@Component
class WebhookRetentionJob implements ScheduledJob {

    static final Duration RETENTION = Duration.ofDays(30);

    private final WebhookRepository repository;

    WebhookRetentionJob(WebhookRepository repository) {
        this.repository = repository;
    }

    @Override
    public String name() {
        return "webhook-log-retention";
    }

    @Override
    public String cron() {
        return "0 17 * * * *";
    }

    @Override
    public String run() {
        return "deleted " + repository.deleteOlderThan(RETENTION) + " webhook delivery attempts";
    }
}
