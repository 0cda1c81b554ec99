package io.iploop.server.mail.internal;

import io.iploop.server.platform.OutboxDelivery;
import io.iploop.server.platform.RetryBackoff;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Delivers due outbox messages every {@code IPLOOP_MAIL_POLL_INTERVAL} through the shared
 * {@link OutboxDelivery} loop: a failed attempt is retried with exponential backoff
 * ({@link #BACKOFF}) until {@code maxAttempts}, then the message is marked {@code failed}. Claims use
 * {@code SKIP LOCKED} and a lease, so several instances may run the worker at once without sending a
 * message twice, and no transaction stays open while an SMTP server answers. Runs on the scheduler
 * thread only.
 */
@Component
class MailDeliveryWorker implements SchedulingConfigurer, OutboxDelivery.Outbox<OutboxRepository.Pending> {

    /** 10 s after the first failure, doubling per attempt, at most 1 h. */
    static final RetryBackoff BACKOFF = new RetryBackoff(Duration.ofSeconds(10), 2, Duration.ofHours(1));
    private static final int BATCH = 20;
    /** Longer than an SMTP exchange may take; a message claimed by a dead instance is retried after it. */
    private static final Duration LEASE = Duration.ofMinutes(5);

    private final OutboxRepository outbox;
    private final MailTransport transport;
    private final MailSettings settings;
    private final OutboxDelivery<OutboxRepository.Pending> delivery;

    MailDeliveryWorker(OutboxRepository outbox, MailTransport transport, MailSettings settings,
            TransactionTemplate tx) {
        this.outbox = outbox;
        this.transport = transport;
        this.settings = settings;
        this.delivery = new OutboxDelivery<>("Mail", this, BACKOFF, settings.maxAttempts(), BATCH, LEASE, tx);
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(this::deliverDue, settings.pollInterval());
    }

    /** Delivers one batch of due messages; returns how many were handled. */
    int deliverDue() {
        return delivery.deliverDue();
    }

    @Override
    public List<OutboxRepository.Pending> claimDue(int limit, Duration lease) {
        return outbox.claimDue(limit, lease);
    }

    @Override
    public int failedAttempts(OutboxRepository.Pending item) {
        return item.attempts();
    }

    @Override
    public void deliver(OutboxRepository.Pending item) throws Exception {
        transport.deliver(item.mail());
    }

    @Override
    public void delivered(OutboxRepository.Pending item) {
        outbox.markSent(item.id(), transport.name());
    }

    @Override
    public void failed(OutboxRepository.Pending item, Exception error, @Nullable Duration retryIn) {
        outbox.markFailed(item.id(), String.valueOf(error.getMessage()), retryIn);
    }

    /** 10 s after the first failure, doubling per attempt, at most 1 h. */
    static Duration backoff(int attempts) {
        return BACKOFF.after(attempts);
    }
}
