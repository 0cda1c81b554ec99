package io.iploop.server.webhooks.internal;

import io.iploop.server.cashouts.CashoutStatusChanged;
import io.iploop.server.webhooks.WebhookEventTypes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Turns other features' events into webhook events (docs/integrations/webhooks.md#events), in the
 * publisher's transaction: the outbox rows commit or roll back with the change. Thread-safe.
 */
@Component
class WebhookEventListeners {

    private final DefaultWebhooksService webhooks;

    WebhookEventListeners(DefaultWebhooksService webhooks) {
        this.webhooks = webhooks;
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
}
