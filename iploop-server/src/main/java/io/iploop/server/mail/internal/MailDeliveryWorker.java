package io.iploop.server.mail.internal;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers due outbox messages every {@code IPLOOP_MAIL_POLL_INTERVAL}. A failed
 * attempt is retried with exponential backoff ({@link #backoff}) until {@code maxAttempts}, then the
 * message is marked {@code failed}. Rows are locked with {@code SKIP LOCKED}, so several instances
 * may run the worker at once without sending a message twice. Runs on the scheduler thread only.
 */
@Component
class MailDeliveryWorker implements SchedulingConfigurer {

    private static final Logger log = LoggerFactory.getLogger(MailDeliveryWorker.class);
    private static final int BATCH = 20;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(10);
    private static final Duration MAX_RETRY = Duration.ofHours(1);

    private final OutboxRepository outbox;
    private final MailTransport transport;
    private final MailSettings settings;
    private final TransactionTemplate tx;

    MailDeliveryWorker(OutboxRepository outbox, MailTransport transport, MailSettings settings,
            TransactionTemplate tx) {
        this.outbox = outbox;
        this.transport = transport;
        this.settings = settings;
        this.tx = tx;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::deliverDue, settings.pollInterval());
    }

    /** Delivers one batch of due messages; returns how many were handled. */
    int deliverDue() {
        try {
            Integer handled = tx.execute(status -> {
                var due = outbox.lockDue(BATCH);
                for (OutboxRepository.Pending p : due) {
                    deliver(p);
                }
                return due.size();
            });
            return handled == null ? 0 : handled;
        } catch (RuntimeException e) {
            log.warn("Mail outbox not processed: {}", e.toString());
            return 0;
        }
    }

    private void deliver(OutboxRepository.Pending p) {
        try {
            transport.deliver(p.mail());
            outbox.markSent(p.id(), transport.name());
        } catch (Exception e) {
            int attempts = p.attempts() + 1;
            boolean giveUp = attempts >= settings.maxAttempts();
            log.warn("Mail {} to {}: attempt {} failed{}: {}", p.id(), p.mail().to(), attempts,
                    giveUp ? ", giving up" : "", e.toString());
            outbox.markFailed(p.id(), String.valueOf(e.getMessage()), backoff(attempts), giveUp);
        }
    }

    /** 10 s after the first failure, doubling per attempt, at most 1 h. */
    static Duration backoff(int attempts) {
        int shift = Math.min(attempts - 1, 16);
        Duration d = FIRST_RETRY.multipliedBy(1L << Math.max(shift, 0));
        return d.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : d;
    }
}
