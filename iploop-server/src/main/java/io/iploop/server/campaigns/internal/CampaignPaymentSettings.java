package io.iploop.server.campaigns.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code iploop.campaigns.payment.*}: the payment-provider webhook that funds campaign wallets
 * (docs/campaigns.md#funding). Immutable.
 *
 * @param webhookSecret {@code IPLOOP_CAMPAIGNS_PAYMENT_WEBHOOK_SECRET}: the HMAC-SHA256 key shared with the
 *     provider; empty: the webhook answers 503 {@code payment_webhook_not_configured}
 * @param webhookTolerance how far a signature's timestamp may be from the server's clock (5 min)
 */
@ConfigurationProperties("iploop.campaigns.payment")
record CampaignPaymentSettings(@DefaultValue("") String webhookSecret, @DefaultValue("5m") Duration webhookTolerance) {

    /** Whether a secret is configured. */
    boolean enabled() {
        return !webhookSecret.isBlank();
    }

    @Override
    public String toString() {
        return "CampaignPaymentSettings[webhookSecret=" + (enabled() ? "<set>" : "<empty>") + ", webhookTolerance="
                + webhookTolerance + "]";
    }
}
