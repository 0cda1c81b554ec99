package io.iploop.server.dataplane;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.LimitsProvider;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeAuthenticator;
import io.iploop.gateway.spi.NodeHello;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.UserStatus;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.net.InetAddress;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The gateway SPI implementations against the real database. */
@PlatformTest
class GatewaySpiIT {

    @Autowired
    ProxyAuthenticator proxyAuthenticator;
    @Autowired
    NodeAuthenticator nodeAuthenticator;
    @Autowired
    LimitsProvider limitsProvider;
    @Autowired
    AccountsService accounts;
    @Autowired
    NodesService nodes;
    @Autowired
    JdbcClient jdbc;

    private AuthResult auth(String customerId, String key) throws Exception {
        return proxyAuthenticator.authenticate(customerId, SecureTokens.sha256Hex(key), InetAddress.getLoopbackAddress())
                .toCompletableFuture().get();
    }

    @Test
    void acceptsAFreshKeyAndRejectsWrongOnes() throws Exception {
        JsonNode alice = registerCustomer();
        JsonNode bob = registerCustomer();
        String aliceId = alice.at("/user/customerId").asString();
        String bobId = bob.at("/user/customerId").asString();
        Response created = call("POST", "/api/proxy/keys", token(alice), Map.of("name", "k"));
        String key = created.body().get("key").asString();

        AuthResult ok = auth(aliceId, key);
        assertThat(ok).isInstanceOf(AuthResult.Accepted.class);
        var principal = ((AuthResult.Accepted) ok).principal();
        assertThat(principal.customerId()).isEqualTo(aliceId);
        assertThat(principal.apiKeyId().toString()).isEqualTo(created.body().get("id").asString());
        assertThat(principal.userId().toString()).isEqualTo(alice.at("/user/id").asString());
        // Plan rules reach the gateway through the limits, not the principal.
        assertThat(limitsProvider.limits(principal.userId()).maxStickyLifetimeSeconds()).isEqualTo(1800); // Trial plan

        assertRejected(auth(bobId, key)); // another customer's key
        assertRejected(auth(aliceId, "iploop_" + "0".repeat(48))); // unknown key
        assertRejected(auth("cust_doesnotexist", key));

        call("PATCH", "/api/proxy/keys/" + created.body().get("id").asString(), token(alice), Map.of("isActive", false));
        assertRejected(auth(aliceId, key)); // disabled
        call("PATCH", "/api/proxy/keys/" + created.body().get("id").asString(), token(alice), Map.of("isActive", true));
        assertThat(auth(aliceId, key)).isInstanceOf(AuthResult.Accepted.class);

        jdbc.sql("UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE key_hash = :h")
                .param("h", SecureTokens.sha256Hex(key)).update();
        assertRejected(auth(aliceId, key)); // expired
        jdbc.sql("UPDATE api_keys SET expires_at = NULL WHERE key_hash = :h").param("h", SecureTokens.sha256Hex(key)).update();

        accounts.setStatus(UUID.fromString(alice.at("/user/id").asString()), UserStatus.SUSPENDED);
        assertRejected(auth(aliceId, key)); // suspended account
    }

    private static void assertRejected(AuthResult r) {
        assertThat(r).isInstanceOfSatisfying(AuthResult.Rejected.class,
                rej -> assertThat(rej.reason()).isEqualTo(AuthResult.RejectReason.BAD_CREDENTIALS));
    }

    private NodeHello hello(String key, String deviceId, @Nullable String country) {
        return new NodeHello(SecureTokens.sha256Hex(key), deviceId, "203.0.113.7", "phone", "android", "1.0", country,
                "Bavaria", "munich", 3320, "Telekom", "wifi", false);
    }

    @Test
    void nodeAuthenticatorAdmitsKnownKeysAndProtectsDeviceIds() throws Exception {
        UUID owner = UUID.fromString(registerCustomer().at("/user/id").asString());
        UUID other = UUID.fromString(registerCustomer().at("/user/id").asString());
        String key = nodes.issueNodeKey(owner, "fleet").key();
        String otherKey = nodes.issueNodeKey(other, "fleet").key();
        assertThat(key).matches("ipn_[0-9a-f]{48}");
        assertThat(accounts.find(owner).orElseThrow().role().dbValue()).isEqualTo("operator");

        String device = "dev-" + UUID.randomUUID();
        NodeAdmission admitted = nodeAuthenticator.admit(hello(key, device, "de")).toCompletableFuture().get();
        assertThat(admitted).isInstanceOfSatisfying(NodeAdmission.Admitted.class, a -> {
            assertThat(a.ownerUserId()).isEqualTo(owner);
            assertThat(a.country()).isEqualTo("DE");
            assertThat(a.connectionType()).isEqualTo("wifi");
        });
        UUID nodeId = ((NodeAdmission.Admitted) admitted).nodeId();
        NodeAdmission again = nodeAuthenticator.admit(hello(key, device, "USA")).toCompletableFuture().get();
        assertThat(again).isInstanceOfSatisfying(NodeAdmission.Admitted.class, a -> {
            assertThat(a.nodeId()).isEqualTo(nodeId); // stable per device id
            assertThat(a.country()).isNull(); // not two letters: dropped
        });

        assertThat(nodeAuthenticator.admit(hello(otherKey, device, "de")).toCompletableFuture().get())
                .isInstanceOf(NodeAdmission.Refused.class); // someone else's device id
        assertThat(nodeAuthenticator.admit(hello("ipn_" + "1".repeat(48), "dev-x", "de")).toCompletableFuture().get())
                .isInstanceOf(NodeAdmission.Refused.class); // unknown key

        String ownerToken = token(call("POST", "/api/auth/login", null, Map.of("email",
                accounts.find(owner).orElseThrow().email(), "password", "correct horse")).body());
        JsonNode listed = call("GET", "/api/nodes", ownerToken, null).body();
        assertThat(listed.get("nodeCount").asInt()).isEqualTo(1);
        assertThat(listed.at("/nodes/0/deviceId").asString()).isEqualTo(device);
        assertThat(listed.at("/nodes/0/online").asBoolean()).isFalse();
        String otherToken = token(call("POST", "/api/auth/login", null, Map.of("email",
                accounts.find(other).orElseThrow().email(), "password", "correct horse")).body());
        assertThat(call("GET", "/api/nodes", otherToken, null).body().get("nodeCount").asInt()).isZero();
    }
}
