package io.iploop.server.keys;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.PlatformTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Key whitelists, the account whitelist and rotation as a customer sees them: curl through the real
 * gateway (client 127.0.0.1) to a real local origin via the local node. The gateway caches auth
 * results for 5 s, so changes are awaited for up to 6 s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class KeyAccessProxyIT {

    private static final Duration AUTH_CACHE_AND_MARGIN = Duration.ofSeconds(6);

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JdbcClient jdbc;

    private TestOrigin origin;
    private int proxyPort;

    @BeforeAll
    void start() throws Exception {
        origin = TestOrigin.http();
        proxyPort = dataPlane.ports().orElseThrow().httpProxy();
    }

    @AfterAll
    void stop() {
        origin.close();
    }

    private Curl.Result through(String customerId, String key) throws Exception {
        return Curl.run("-x", "http://" + customerId + ":" + key + "@127.0.0.1:" + proxyPort, origin.url("/bytes/10"));
    }

    private void awaitStatus(String customerId, String key, int status) {
        await().atMost(AUTH_CACHE_AND_MARGIN).pollInterval(Duration.ofMillis(250))
                .until(() -> through(customerId, key).status() == status);
    }

    @Test
    void aKeyWhitelistedElsewhereIsRefusedUntilTheClientIsWhitelisted() throws Exception {
        JsonNode owner = registerUnlimitedCustomer();
        String customerId = owner.at("/user/customerId").asString();
        JsonNode created = call("POST", "/api/proxy/keys", token(owner), Map.of("name", "office only")).body();
        String whitelist = "/api/proxy/keys/" + created.get("id").asString() + "/whitelist";
        assertThat(call("PUT", whitelist, token(owner), Map.of("ips", List.of("10.0.0.0/8"))).status()).isEqualTo(200);

        Curl.Result refused = through(customerId, created.get("key").asString());
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("X-IPLoop-Error") + " " + refused.bodyText()).containsIgnoringCase("whitelist");

        assertThat(call("PUT", whitelist, token(owner), Map.of("ips", List.of("10.0.0.0/8", "127.0.0.1"))).status())
                .isEqualTo(200);
        awaitStatus(customerId, created.get("key").asString(), 200);

        // Last use is recorded off the hot path, every 10 s.
        await().atMost(Duration.ofSeconds(15)).until(() -> !call("GET", "/api/proxy/keys/" + created.get("id").asString(),
                token(owner), null).body().get("lastUsedAt").isNull());
    }

    @Test
    void theAccountWhitelistAppliesToEveryKey() throws Exception {
        JsonNode owner = registerUnlimitedCustomer();
        String customerId = owner.at("/user/customerId").asString();
        String key = call("POST", "/api/proxy/keys", token(owner), Map.of("name", "any")).body().get("key").asString();
        assertThat(call("PUT", "/api/account/ip-whitelist", token(owner), Map.of("ips", List.of("192.0.2.0/24"))).status())
                .isEqualTo(200);
        assertThat(through(customerId, key).status()).isEqualTo(403);

        assertThat(call("PUT", "/api/account/ip-whitelist", token(owner), Map.of("ips", List.of("::1", "127.0.0.0/8"))).status())
                .isEqualTo(200);
        awaitStatus(customerId, key, 200);
    }

    @Test
    void bothKeysWorkAfterRotationAndTheOldOneStopsWhenItsGraceEnds() throws Exception {
        JsonNode owner = registerUnlimitedCustomer();
        String customerId = owner.at("/user/customerId").asString();
        JsonNode old = call("POST", "/api/proxy/keys", token(owner), Map.of("name", "to rotate")).body();
        String oldKey = old.get("key").asString();
        assertThat(through(customerId, oldKey).status()).isEqualTo(200);

        String newKey = call("POST", "/api/proxy/keys/" + old.get("id").asString() + "/rotate", token(owner), null)
                .body().get("key").asString();
        assertThat(through(customerId, newKey).status()).isEqualTo(200);
        assertThat(through(customerId, oldKey).status()).isEqualTo(200);

        // The 24 h grace period, elapsed.
        jdbc.sql("UPDATE api_keys SET grace_ends_at = now() - interval '1 second' WHERE id = ?::uuid")
                .param(old.get("id").asString()).update();
        awaitStatus(customerId, oldKey, 407);
        assertThat(through(customerId, newKey).status()).isEqualTo(200);
        assertThat(call("GET", "/api/proxy/keys", token(owner), null).body().get("keys")).hasSize(1);
    }

    @Test
    void aDeletedKeyStopsWorking() throws Exception {
        JsonNode owner = registerUnlimitedCustomer();
        String customerId = owner.at("/user/customerId").asString();
        JsonNode created = call("POST", "/api/proxy/keys", token(owner), Map.of("name", "short-lived")).body();
        assertThat(through(customerId, created.get("key").asString()).status()).isEqualTo(200);
        assertThat(call("DELETE", "/api/proxy/keys/" + created.get("id").asString(), token(owner), null).status()).isEqualTo(204);
        awaitStatus(customerId, created.get("key").asString(), 407);
    }
}
