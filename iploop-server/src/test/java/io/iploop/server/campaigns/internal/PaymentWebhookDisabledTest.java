package io.iploop.server.campaigns.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.server.campaigns.CampaignsException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Without a secret the payment webhook trusts nothing and says why (docs/campaigns.md#funding). */
class PaymentWebhookDisabledTest {

    @Test
    @SuppressWarnings("NullAway")
    void withoutASecretEveryDeliveryIsA503NamingTheVariable() {
        PaymentWebhook off = new PaymentWebhook(new CampaignPaymentSettings(" ", Duration.ofMinutes(5)), null, null, null,
                null, null, null, Clock.systemUTC());
        assertThatThrownBy(() -> off.receive("{\"id\":\"evt_1\"}".getBytes(StandardCharsets.UTF_8), "t=1,v1=00"))
                .isInstanceOf(CampaignsException.class)
                .hasMessageContaining("IPLOOP_CAMPAIGNS_PAYMENT_WEBHOOK_SECRET")
                .extracting(e -> ((CampaignsException) e).reason())
                .isEqualTo(CampaignsException.Reason.PAYMENT_WEBHOOK_NOT_CONFIGURED);
    }
}
