package io.iploop.server.accounts;

import static io.iploop.server.testing.Api.TEST_PASSWORD;
import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.loginWith;
import static io.iploop.server.testing.Api.newAdminWithTwoFactor;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.Api.Admin;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * What an account owner does to their own account through the REST API (docs/product/accounts.md#profile-and-settings): delete
 * it ({@code DELETE /api/auth/account}: password checked, tokens refused at once, proxy keys
 * refused through the real gateway within its 5 s credential cache, audited) and choose e-mail
 * notification preferences.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class AccountSelfServiceIT {

    @Autowired
    DataPlane dataPlane;

    private TestOrigin origin;

    @BeforeAll
    void start() throws Exception {
        origin = TestOrigin.http();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                call("GET", "/api/proxy/locations", null, null).body().toString().contains("\"DE\""));
    }

    @AfterAll
    void stop() {
        origin.close();
    }

    @Test
    void deletingOwnAccountNeedsThePasswordEndsSessionsAndStopsTheProxy() throws Exception {
        JsonNode c = registerUnlimitedCustomer();
        String token = token(c);
        String key = call("POST", "/api/proxy/keys", token, Map.of("name", "doomed")).body().get("key").asString();
        String proxy = "http://" + c.at("/user/customerId").asString() + ":" + key + "@127.0.0.1:"
                + dataPlane.ports().orElseThrow().httpProxy();
        assertThat(Curl.run("-x", proxy, origin.url("/bytes/10")).status()).isEqualTo(200);

        Response missing = call("DELETE", "/api/auth/account", token, Map.of());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().toString()).contains("password");
        Response wrong = call("DELETE", "/api/auth/account", token, Map.of("password", "not my password"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body().at("/error/field").asString()).isEqualTo("password");
        assertThat(call("GET", "/api/auth/profile", token, null).status()).as("still there after a wrong password").isEqualTo(200);

        assertThat(call("DELETE", "/api/auth/account", token, Map.of("password", TEST_PASSWORD)).status()).isEqualTo(204);
        assertThat(call("GET", "/api/auth/profile", token, null).status()).as("token after deletion").isEqualTo(401);
        Response login = loginWith(c.at("/user/email").asString(), TEST_PASSWORD, null);
        assertThat(login.status()).as("login after deletion: the e-mail is erased (docs/privacy.md#erasure)").isEqualTo(401);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(Curl.run("-x", proxy, origin.url("/bytes/10")).status()).isEqualTo(407));

        JsonNode audit = call("GET", "/api/audit-logs?limit=200&action=account_erased", adminToken(), null).body();
        assertThat(audit.toString()).contains(c.at("/user/id").asString());
    }

    @Test
    void anAdminCannotDeleteTheirOwnAccount() {
        Admin admin = newAdminWithTwoFactor();
        Response r = call("DELETE", "/api/auth/account", admin.token(), Map.of("password", TEST_PASSWORD));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.body().at("/error/code").asString()).isEqualTo("cannot_delete_self");
    }

    @Test
    void notificationPreferencesDefaultToOnAndAreSaved() {
        String token = token(registerCustomer());
        JsonNode defaults = call("GET", "/api/auth/notification-preferences", token, null).body();
        assertThat(defaults.get("lowBalance").asBoolean()).isTrue();
        assertThat(defaults.get("weeklyReport").asBoolean()).isTrue();
        assertThat(defaults.get("securityAlerts").asBoolean()).isTrue();
        Response saved = call("PUT", "/api/auth/notification-preferences", token,
                Map.of("lowBalance", true, "weeklyReport", false, "securityAlerts", true));
        assertThat(saved.status()).isEqualTo(200);
        JsonNode read = call("GET", "/api/auth/notification-preferences", token, null).body();
        assertThat(read.get("weeklyReport").asBoolean()).isFalse();
        assertThat(read.get("lowBalance").asBoolean()).isTrue();
        // A client from before the opt-in daily digest leaves it out: saved, and off.
        assertThat(read.get("dailyDigest").asBoolean()).isFalse();
        Response missing = call("PUT", "/api/auth/notification-preferences", token,
                Map.of("lowBalance", false, "securityAlerts", true));
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().at("/error/message").asString()).contains("weeklyReport");
        assertThat(call("GET", "/api/auth/notification-preferences", token, null).body().get("lowBalance").asBoolean())
                .as("nothing saved from the refused body").isTrue();
    }
}
