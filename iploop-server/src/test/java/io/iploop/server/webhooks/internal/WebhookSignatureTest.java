package io.iploop.server.webhooks.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    @Test
    void matchesTheStandardWebhooksReferenceVector() {
        // the example of the Standard Webhooks reference libraries
        assertThat(WebhookSignature.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330, "{\"test\": 2432232314}"))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void newSecretsAreRandom32ByteKeys() {
        String a = WebhookSignature.newSecret();
        assertThat(a).startsWith("whsec_").isNotEqualTo(WebhookSignature.newSecret());
        assertThat(Base64.getDecoder().decode(a.substring(6))).hasSize(32);
    }

    @Test
    void refusesASecretWithoutItsPrefix() {
        assertThatThrownBy(() -> WebhookSignature.sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, "{}"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
