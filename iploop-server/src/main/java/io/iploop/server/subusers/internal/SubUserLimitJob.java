package io.iploop.server.subusers.internal;

import io.iploop.server.jobs.ScheduledJob;
import io.iploop.server.subusers.SubUserLimitReached;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code subusers-limit-reached}, every 15 s (docs/sub-users.md#limits): publishes one
 * {@link SubUserLimitReached} (the {@code sub_user.limit_reached} webhook) per sub-user whose
 * limit was newly reached, marking it notified in the same transaction, so each is sent once; and
 * clears the marks of monthly sub-users in a new month. Thread-safe.
 */
@Component
class SubUserLimitJob implements ScheduledJob {

    private final SubUserRepository repository;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate tx;

    SubUserLimitJob(SubUserRepository repository, ApplicationEventPublisher events, TransactionTemplate tx) {
        this.repository = repository;
        this.events = events;
        this.tx = tx;
    }

    @Override
    public String name() {
        return "subusers-limit-reached";
    }

    @Override
    public String cron() {
        return "*/15 * * * * *";
    }

    @Override
    public String run() {
        Integer sent = tx.execute(status -> {
            repository.clearStaleReached();
            int n = 0;
            for (SubUserRepository.Row r : repository.lockReachedUnnotified(500)) {
                Long limit = r.trafficLimitBytes();
                if (limit != null) {
                    events.publishEvent(new SubUserLimitReached(r.userId(), r.id(), r.name(), limit, r.usedBytes(),
                            r.trafficPeriod()));
                    n++;
                }
                repository.markNotified(r.id());
            }
            return n;
        });
        return "notified " + (sent == null ? 0 : sent) + " sub-user limits";
    }
}
