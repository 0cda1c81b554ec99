package io.iploop.server.webhooks.internal;

import io.iploop.server.cashouts.CashoutStatusChanged;
import io.iploop.server.plans.UsageThresholdReached;
import io.iploop.server.subusers.SubUserLimitReached;
import io.iploop.server.webhooks.WebhookEventTypes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Turns other features' events into webhook events (docs/integrations/webhooks.md#events). Each is
 * queued in the publisher's transaction, so the outbox rows commit or roll back with the change.
 * The usage thresholds are the plans feature's usage alerts (docs/plans-and-alerts.md#usage-alerts):
 * one rule, evaluated by its job off the metering path, so a webhook can never hold up or roll back
 * a usage batch. Thread-safe.
 */
@Component
class WebhookEventListeners {

    private final DefaultWebhooksService webhooks;

    WebhookEventListeners(DefaultWebhooksService webhooks) {
        this.webhooks = webhooks;
    }

    /**
     * {@code cashout.status_changed}: {@code {cashout_id, from, to, source, amount, currency, amount_credits}};
     * {@code amount_credits} only for an earn cash-out (an affiliate payout is in EUR, docs/affiliates.md#payouts).
     */
    @EventListener
    void on(CashoutStatusChanged e) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("cashout_id", e.cashoutId().toString());
        data.put("from", e.from().dbValue());
        data.put("to", e.to().dbValue());
        data.put("source", e.source().name().toLowerCase(java.util.Locale.ROOT));
        data.put("amount", e.amount().toPlainString());
        data.put("currency", e.currency());
        if (e.source() == io.iploop.server.cashouts.CashoutSource.EARN) {
            data.put("amount_credits", e.amountCredits());
        }
        webhooks.publish(e.userId(), WebhookEventTypes.CASHOUT_STATUS_CHANGED, data);
    }

    /**
     * {@code usage.threshold}, one per threshold newly reached in the period:
     * {@code {threshold_percent, plan_id, gb_used, gb_balance}} (decimal GB as strings).
     */
    @EventListener
    void on(UsageThresholdReached e) {
        for (int percent : e.thresholds()) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("threshold_percent", percent);
            data.put("plan_id", e.planId());
            data.put("gb_used", e.periodGbUsed().stripTrailingZeros().toPlainString());
            data.put("gb_balance", e.gbBalance().stripTrailingZeros().toPlainString());
            webhooks.publish(e.userId(), WebhookEventTypes.USAGE_THRESHOLD, data);
        }
    }

    /**
     * {@code sub_user.limit_reached} (docs/sub-users.md#limits):
     * {@code {sub_user_id, name, limit_bytes, used_bytes, period}}.
     */
    @EventListener
    void on(SubUserLimitReached e) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sub_user_id", e.subUserId().toString());
        data.put("name", e.name());
        data.put("limit_bytes", e.limitBytes());
        data.put("used_bytes", e.usedBytes());
        data.put("period", e.period());
        webhooks.publish(e.userId(), WebhookEventTypes.SUB_USER_LIMIT_REACHED, data);
    }
}
