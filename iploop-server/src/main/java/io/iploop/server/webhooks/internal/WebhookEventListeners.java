package io.iploop.server.webhooks.internal;

import io.iploop.server.cashouts.CashoutStatusChanged;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import io.iploop.server.usage.UsageRecorded;
import io.iploop.server.webhooks.WebhookEventTypes;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Turns other features' events into webhook events (docs/integrations/webhooks.md#events). Cash-out
 * changes are queued in the publisher's transaction, so the outbox rows commit or roll back with the
 * change. Usage thresholds are queued right after the usage batch commits, in a transaction of their
 * own, so webhooks can never hold up or roll back metering. Thread-safe.
 */
@Component
class WebhookEventListeners {

    private static final Logger log = LoggerFactory.getLogger(WebhookEventListeners.class);
    /** The thresholds of {@code usage.threshold}, in percent of the allowance. */
    static final List<Integer> USAGE_THRESHOLDS = List.of(80, 100);
    private static final BigDecimal BYTES_PER_GB = BigDecimal.valueOf(1_000_000_000L);

    private final DefaultWebhooksService webhooks;
    private final WebhookRepository repository;
    private final PlansService plans;
    private final TransactionTemplate ownTransaction;

    WebhookEventListeners(DefaultWebhooksService webhooks, WebhookRepository repository, PlansService plans,
            PlatformTransactionManager transactions) {
        this.webhooks = webhooks;
        this.repository = repository;
        this.plans = plans;
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    }

    /** {@code cashout.status_changed}: {@code {cashout_id, from, to, amount_credits}}. */
    @EventListener
    void on(CashoutStatusChanged e) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("cashout_id", e.cashoutId().toString());
        data.put("from", e.from().dbValue());
        data.put("to", e.to().dbValue());
        data.put("amount_credits", e.amountCredits());
        webhooks.publish(e.userId(), WebhookEventTypes.CASHOUT_STATUS_CHANGED, data);
    }

    /**
     * {@code usage.threshold} when this batch moved the plan's used share across 80 % or 100 % of
     * its allowance: {@code {threshold_percent, plan_id, gb_used, gb_balance}}.
     */
    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT)
    void on(UsageRecorded usage) {
        if (usage.bytes() <= 0) {
            return;
        }
        try {
            ownTransaction.executeWithoutResult(status -> thresholds(usage));
        } catch (RuntimeException e) {
            log.warn("usage.threshold for {} not queued: {}", usage.userId(), e.toString());
        }
    }

    private void thresholds(UsageRecorded usage) {
        if (!repository.hasSubscribers(usage.userId(), WebhookEventTypes.USAGE_THRESHOLD)) {
            return;
        }
        Subscription s = plans.current(usage.userId()).orElse(null);
        if (s == null) {
            return;
        }
        BigDecimal allowance = s.gbUsed().add(s.gbBalance());
        if (allowance.signum() <= 0) {
            return;
        }
        BigDecimal before = s.gbUsed().subtract(BigDecimal.valueOf(usage.bytes()).divide(BYTES_PER_GB));
        for (int percent : USAGE_THRESHOLDS) {
            BigDecimal mark = allowance.multiply(BigDecimal.valueOf(percent)).divide(BigDecimal.valueOf(100),
                    MathContext.DECIMAL64);
            if (before.compareTo(mark) < 0 && s.gbUsed().compareTo(mark) >= 0) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("threshold_percent", percent);
                data.put("plan_id", s.planId());
                data.put("gb_used", s.gbUsed().stripTrailingZeros().toPlainString());
                data.put("gb_balance", s.gbBalance().stripTrailingZeros().toPlainString());
                webhooks.publish(usage.userId(), WebhookEventTypes.USAGE_THRESHOLD, data);
            }
        }
    }
}
