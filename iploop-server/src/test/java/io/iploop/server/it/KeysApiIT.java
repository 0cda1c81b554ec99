package io.iploop.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.platform.SecureTokens;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class KeysApiIT extends ServerTestSupport {

    @Test
    void createListAndLimit() {
        String token = token(registerCustomer());
        Response created = call("POST", "/api/proxy/keys", token, Map.of("name", "scraper"));
        assertThat(created.status()).isEqualTo(201);
        String key = created.body().get("key").asString();
        assertThat(key).matches("iploop_[0-9a-f]{48}");
        assertThat(created.body().get("keyPrefix").asString()).isEqualTo(key.substring(0, 14));

        Response list = call("GET", "/api/proxy/keys", token, null);
        assertThat(list.status()).isEqualTo(200);
        JsonNode keys = list.body().get("keys");
        assertThat(keys).hasSize(1);
        assertThat(keys.get(0).get("name").asString()).isEqualTo("scraper");
        assertThat(keys.get(0).get("isActive").asBoolean()).isTrue();
        assertThat(list.body().toString()).doesNotContain(key).doesNotContain(SecureTokens.sha256Hex(key));

        for (int i = 2; i <= 5; i++) {
            assertThat(call("POST", "/api/proxy/keys", token, Map.of("name", "k" + i)).status()).isEqualTo(201);
        }
        Response sixth = call("POST", "/api/proxy/keys", token, Map.of("name", "k6"));
        assertThat(sixth.status()).isEqualTo(409);
        assertThat(sixth.body().at("/error/code").asString()).isEqualTo("key_limit_reached");
    }

    @Test
    void nameIsRequired() {
        String token = token(registerCustomer());
        Response r = call("POST", "/api/proxy/keys", token, Map.of("name", " "));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().at("/error/field").asString()).isEqualTo("name");
    }

    @Test
    void anotherAccountsKeysAreInvisible() {
        String alice = token(registerCustomer());
        String bob = token(registerCustomer());
        Response created = call("POST", "/api/proxy/keys", alice, Map.of("name", "alice-key"));
        String keyId = created.body().get("id").asString();

        assertThat(call("GET", "/api/proxy/keys", bob, null).body().get("keys")).isEmpty();
        Response toggle = call("PATCH", "/api/proxy/keys/" + keyId, bob, Map.of("isActive", false));
        assertThat(toggle.status()).isEqualTo(404);
        assertThat(call("GET", "/api/proxy/keys", alice, null).body().at("/keys/0/isActive").asBoolean()).isTrue();
    }
}
