package io.iploop.server.webhooks.internal;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.iploop.server.platform.PlatformSecrets;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.PlatformTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A signing secret stored in clear by an earlier version is sealed at start and still opens to the
 * same secret; a sealed copy moved to another endpoint's row does not open
 * (docs/integrations/webhooks.md#secrets-at-rest).
 */
@PlatformTest
class PlainSecretSealerIT {

    @Test
    void aClearSecretIsSealedOnceAndOpensToTheSameValue() {
        String customer = token(registerCustomer());
        UUID a = endpoint(customer);
        UUID b = endpoint(customer);
        String plain = WebhookSignature.newSecret();
        JdbcClient jdbc = Api.bean(JdbcClient.class);
        jdbc.sql("UPDATE webhook_endpoints SET secret = :s WHERE id = :id").param("s", plain).param("id", a).update();

        Api.bean(PlainSecretSealer.class).sealOnStart();

        String stored = stored(a);
        assertThat(stored).startsWith("v1:").doesNotContain(plain.substring("whsec_".length()));
        PlatformSecrets secrets = Api.bean(PlatformSecrets.class);
        assertThat(secrets.decrypt(stored, "webhook_endpoints.secret:" + a)).isEqualTo(plain);
        assertThat(Api.bean(WebhookRepository.class).sealPlainSecrets()).as("nothing left in clear").isZero();
        // bound to its endpoint: the same ciphertext under another endpoint's id is refused
        assertThatIllegalArgumentException()
                .isThrownBy(() -> secrets.decrypt(stored, "webhook_endpoints.secret:" + b));
    }

    private static UUID endpoint(String token) {
        Api.Response r = call("POST", "/api/webhooks", token, Map.of("url", "http://127.0.0.1:9/hook-" + UUID.randomUUID(),
                "eventTypes", List.of("cashout.status_changed")));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return UUID.fromString(r.body().at("/endpoint/id").asString());
    }

    private static String stored(UUID id) {
        return Api.bean(JdbcClient.class).sql("SELECT secret FROM webhook_endpoints WHERE id = :id").param("id", id)
                .query(String.class).single();
    }
}
