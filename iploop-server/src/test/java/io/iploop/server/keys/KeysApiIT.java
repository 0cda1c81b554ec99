package io.iploop.server.keys;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.platform.SecureTokens;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

@PlatformTest
class KeysApiIT {

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
    void getDeleteAndExpiry() {
        String token = token(registerCustomer());
        String expiry = Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS).toString();
        Response created = call("POST", "/api/proxy/keys", token, Map.of("name", "expiring", "expiresAt", expiry));
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().get("id").asString();

        Response one = call("GET", "/api/proxy/keys/" + id, token, null);
        assertThat(one.status()).isEqualTo(200);
        assertThat(Instant.parse(one.body().get("expiresAt").asString())).isEqualTo(Instant.parse(expiry));
        assertThat(one.body().get("ipWhitelist")).isEmpty();

        Response past = call("POST", "/api/proxy/keys", token, Map.of("name", "late", "expiresAt", "2020-01-01T00:00:00Z"));
        assertThat(past.status()).isEqualTo(400);
        assertThat(past.body().at("/error/field").asString()).isEqualTo("expiresAt");

        assertThat(call("DELETE", "/api/proxy/keys/" + id, token, null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/proxy/keys/" + id, token, null).status()).isEqualTo(404);
        assertThat(call("DELETE", "/api/proxy/keys/" + id, token, null).status()).isEqualTo(404);
    }

    @Test
    void whitelistIsValidatedNamingTheBadEntryAndTheLimit() {
        String token = token(registerCustomer());
        String id = call("POST", "/api/proxy/keys", token, Map.of("name", "wl")).body().get("id").asString();
        String path = "/api/proxy/keys/" + id + "/whitelist";

        Response ok = call("PUT", path, token, Map.of("ips", List.of("203.0.113.7", "10.0.0.0/8", "2001:db8::/32")));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(call("GET", "/api/proxy/keys/" + id, token, null).body().get("ipWhitelist").toString())
                .isEqualTo("[\"203.0.113.7\",\"10.0.0.0/8\",\"2001:db8::/32\"]");

        Response bad = call("PUT", path, token, Map.of("ips", List.of("10.0.0.1", "not-an-ip")));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().at("/error/code").asString()).isEqualTo("invalid_whitelist");
        assertThat(bad.body().at("/error/message").asString()).contains("'not-an-ip'");

        List<String> tooMany = IntStream.range(0, 51).mapToObj(i -> "192.0.2." + i).toList();
        Response limit = call("PUT", path, token, Map.of("ips", tooMany));
        assertThat(limit.status()).isEqualTo(400);
        assertThat(limit.body().at("/error/message").asString()).contains("at most 50");
        assertThat(call("GET", "/api/proxy/keys/" + id, token, null).body().get("ipWhitelist")).hasSize(3);

        Response account = call("PUT", "/api/account/ip-whitelist", token, Map.of("ips", List.of("198.51.100.0/24", "::1")));
        assertThat(account.status()).isEqualTo(200);
        assertThat(call("GET", "/api/account/ip-whitelist", token, null).body().get("ips")).hasSize(2);
        assertThat(call("PUT", "/api/account/ip-whitelist", token, Map.of("ips", tooMany)).status()).isEqualTo(400);
        assertThat(call("GET", "/api/account/ip-whitelist", token, null).body().get("ips")).hasSize(2);
    }

    @Test
    void rotationKeepsTheOldKeyListedUntilItsGraceEnds() {
        String token = token(registerCustomer());
        JsonNode old = call("POST", "/api/proxy/keys", token, Map.of("name", "rotating")).body();
        call("PUT", "/api/proxy/keys/" + old.get("id").asString() + "/whitelist", token, Map.of("ips", List.of("127.0.0.1")));

        Response rotated = call("POST", "/api/proxy/keys/" + old.get("id").asString() + "/rotate", token, null);
        assertThat(rotated.status()).isEqualTo(201);
        assertThat(rotated.body().get("key").asString()).matches("iploop_[0-9a-f]{48}").isNotEqualTo(old.get("key").asString());
        assertThat(rotated.body().get("name").asString()).isEqualTo("rotating");
        assertThat(rotated.body().get("ipWhitelist").toString()).isEqualTo("[\"127.0.0.1\"]");

        JsonNode oldNow = call("GET", "/api/proxy/keys/" + old.get("id").asString(), token, null).body();
        assertThat(oldNow.get("replacedBy").asString()).isEqualTo(rotated.body().get("id").asString());
        Instant graceEnds = Instant.parse(oldNow.get("graceEndsAt").asString());
        assertThat(graceEnds).isBetween(Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
        assertThat(call("GET", "/api/proxy/keys", token, null).body().get("keys")).hasSize(2);

        Response again = call("POST", "/api/proxy/keys/" + old.get("id").asString() + "/rotate", token, null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().at("/error/code").asString()).isEqualTo("key_already_rotated");
    }

    @Test
    void anotherAccountsKeysAreInvisibleAndUnchangeable() {
        String alice = token(registerCustomer());
        String bob = token(registerCustomer());
        Response created = call("POST", "/api/proxy/keys", alice, Map.of("name", "alice-key"));
        String keyId = created.body().get("id").asString();
        call("PUT", "/api/proxy/keys/" + keyId + "/whitelist", alice, Map.of("ips", List.of("203.0.113.0/24")));
        JsonNode before = call("GET", "/api/proxy/keys/" + keyId, alice, null).body();

        assertThat(call("GET", "/api/proxy/keys", bob, null).body().get("keys")).isEmpty();
        String path = "/api/proxy/keys/" + keyId;
        assertThat(call("GET", path, bob, null).status()).isEqualTo(404);
        assertThat(call("PATCH", path, bob, Map.of("isActive", false)).status()).isEqualTo(404);
        assertThat(call("PUT", path + "/whitelist", bob, Map.of("ips", List.of("127.0.0.1"))).status()).isEqualTo(404);
        Response rotate = call("POST", path + "/rotate", bob, null);
        assertThat(rotate.status()).isEqualTo(404);
        assertThat(rotate.body().at("/error/code").asString()).isEqualTo("key_not_found");
        assertThat(call("DELETE", path, bob, null).status()).isEqualTo(404);

        assertThat(call("GET", path, alice, null).body()).isEqualTo(before);
        assertThat(call("GET", "/api/proxy/keys", alice, null).body().get("keys")).hasSize(1);
        assertThat(call("GET", "/api/proxy/keys", bob, null).body().get("keys")).isEmpty();
    }
}
