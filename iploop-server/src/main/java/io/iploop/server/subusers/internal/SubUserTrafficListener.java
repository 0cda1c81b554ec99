package io.iploop.server.subusers.internal;

import io.iploop.server.usage.SubUserUsageRecorded;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Counts stored usage against sub-users' limits (docs/sub-users.md#usage), in the usage batch's
 * transaction ({@link SubUserUsageRecorded}), so a batch counts once or not at all. It only
 * updates its own rows and marks a reached limit; the webhook is sent by {@link SubUserLimitJob},
 * off the metering path. Thread-safe.
 */
@Component
class SubUserTrafficListener {

    private final SubUserRepository repository;

    SubUserTrafficListener(SubUserRepository repository) {
        this.repository = repository;
    }

    @EventListener
    void on(SubUserUsageRecorded e) {
        if (e.bytes() > 0) {
            repository.addTraffic(e.subUserId(), e.bytes());
        }
    }
}
