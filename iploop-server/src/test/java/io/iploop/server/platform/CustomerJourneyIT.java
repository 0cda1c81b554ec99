package io.iploop.server.platform;

import static io.iploop.server.testing.Api.TEST_PASSWORD;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.enableTwoFactor;
import static io.iploop.server.testing.Api.loginWith;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Api.totpCode;
import static io.iploop.server.testing.Mailbox.awaitMail;
import static io.iploop.server.testing.Mailbox.linkToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.Api.TwoFactor;
import io.iploop.server.testing.PlatformTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The customer journey (docs/product/dashboard.md#first-hour) through the real server, the real gateway and the local node: register,
 * verify the e-mail from the message GreenMail received, enable TOTP 2FA with a code computed here,
 * log out, log in with password and TOTP, create an API key, send real traffic with curl through
 * the HTTP proxy to a local origin, and find exactly those bytes (as curl counted them on the wire
 * at the customer's socket) in every analytics endpoint.
 */
@PlatformTest
class CustomerJourneyIT {

    @Autowired
    DataPlane dataPlane;

    @Autowired
    PlansService plans;

    @Test
    void registerVerifySecureWithTwoFactorProxyAndSeeTheUsage() throws Exception {
        // Register and verify the e-mail address with the mailed link.
        String email = "journey-" + UUID.randomUUID() + "@example.com";
        Response registered = call("POST", "/api/auth/register", null, Map.of("acceptTerms", true, "email", email, "password", TEST_PASSWORD,
                "firstName", "Jo", "lastName", "Urney", "company", "Scrapers Ltd"));
        assertThat(registered.status()).isEqualTo(201);
        String firstToken = token(registered.body());
        String customerId = registered.body().at("/user/customerId").asString();
        assertThat(call("GET", "/api/auth/verify-email?token=" + linkToken(awaitMail(email, "Verify", 1)), null, null)
                .status()).isEqualTo(200);
        assertThat(call("GET", "/api/auth/profile", firstToken, null).body().at("/user/emailVerified").asBoolean())
                .isTrue();

        // Enable 2FA, log out, log back in with password + TOTP.
        TwoFactor twoFactor = enableTwoFactor(firstToken);
        assertThat(twoFactor.backupCodes()).hasSize(8);
        assertThat(call("POST", "/api/auth/logout", firstToken, null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/auth/profile", firstToken, null).status()).isEqualTo(401);
        Response passwordOnly = loginWith(email, TEST_PASSWORD, null);
        assertThat(passwordOnly.status()).isEqualTo(401);
        assertThat(passwordOnly.body().at("/error/code").asString()).isEqualTo("two_factor_required");
        Response login = loginWith(email, TEST_PASSWORD, totpCode(twoFactor.secret()));
        assertThat(login.status()).isEqualTo(200);
        String token = token(login.body());
        JsonNode profile = call("GET", "/api/auth/profile", token, null).body();
        assertThat(profile.at("/user/twoFactorEnabled").asBoolean()).isTrue();

        // A plan that allows the traffic (Trial allows 2 req/s), then an API key.
        plans.subscribe(UUID.fromString(profile.at("/user/id").asString()), "enterprise");
        Response key = call("POST", "/api/proxy/keys", token, Map.of("name", "journey"));
        assertThat(key.status()).isEqualTo(201);
        String apiKey = key.body().get("key").asString();
        String keyId = key.body().get("id").asString();

        // Real traffic: curl through the HTTP proxy and the local node (DE) to a local origin.
        long up = 0;
        long down = 0;
        int proxyPort = dataPlane.ports().orElseThrow().httpProxy();
        try (TestOrigin origin = TestOrigin.http()) {
            String[][] requests = {{"-country-de", "/bytes/20000", "200"}, {"", "/bytes/1234", "200"},
                    {"", "/missing", "404"}};
            for (String[] r : requests) {
                Curl.Result res = Curl.run("-x", "http://" + customerId + ":" + apiKey + r[0] + "@127.0.0.1:" + proxyPort,
                        "http://localhost:" + origin.port() + r[1]);
                assertThat(res.status()).as(res.stderr()).isEqualTo(Integer.parseInt(r[2]));
                up += res.sizeRequest();
                down += res.sizeHeader() + res.sizeDownload();
            }
        }
        long expectedUp = up;
        long expectedDown = down;
        await().atMost(Duration.ofSeconds(10)).until(() ->
                get(token, "summary").get("streams").asLong() == 3);

        JsonNode summary = get(token, "summary");
        assertThat(summary.get("bytesUploaded").asLong()).isEqualTo(expectedUp);
        assertThat(summary.get("bytesDownloaded").asLong()).isEqualTo(expectedDown);
        assertThat(summary.get("totalBytes").asLong()).isEqualTo(expectedUp + expectedDown);
        assertThat(summary.get("totalRequests").asLong()).isEqualTo(3);

        for (String endpoint : List.of("daily", "hourly", "by-country", "by-key", "status-codes", "top-domains")) {
            long[] sum = new long[3];
            get(token, endpoint).get("buckets").forEach(b -> {
                sum[0] += b.get("bytesUploaded").asLong();
                sum[1] += b.get("bytesDownloaded").asLong();
                sum[2] += b.get("streams").asLong();
            });
            assertThat(sum).as(endpoint).containsExactly(expectedUp, expectedDown, 3);
        }
        JsonNode byCountry = get(token, "by-country").get("buckets");
        assertThat(byCountry).anySatisfy(b -> {
            assertThat(b.get("key").asString()).isEqualTo("DE");
            assertThat(b.get("streams").asLong()).isEqualTo(1);
        });
        JsonNode byKey = get(token, "by-key").get("buckets");
        assertThat(byKey.size()).isEqualTo(1);
        assertThat(byKey.get(0).get("key").asString()).isEqualTo(keyId);
        assertThat(byKey.get(0).get("label").asString()).isEqualTo("journey");
        assertThat(get(token, "top-domains").get("buckets").get(0).get("key").asString()).isEqualTo("localhost");
        assertThat(get(token, "status-codes").get("buckets")).anySatisfy(b -> {
            assertThat(b.get("key").asString()).isEqualTo("404");
            assertThat(b.get("streams").asLong()).isEqualTo(1);
        });

        JsonNode recent = get(token, "recent").get("records");
        assertThat(recent.size()).isEqualTo(3);
        long recentUp = 0;
        long recentDown = 0;
        for (JsonNode r : recent) {
            recentUp += r.get("bytesUploaded").asLong();
            recentDown += r.get("bytesDownloaded").asLong();
            assertThat(r.get("apiKeyId").asString()).isEqualTo(keyId);
            assertThat(r.get("targetHost").asString()).isEqualTo("localhost");
        }
        assertThat(new long[] {recentUp, recentDown}).containsExactly(expectedUp, expectedDown);

        List<String> actions = new java.util.ArrayList<>();
        call("GET", "/api/audit-logs?limit=200", token, null).body().get("items")
                .forEach(e -> actions.add(e.get("action").asString()));
        assertThat(actions).contains("email_verified", "two_factor_enabled", "logout", "login_succeeded",
                "plan_changed", "api_key_created");
    }

    private JsonNode get(String token, String endpoint) {
        Response r = call("GET", "/api/usage/" + endpoint, token, null);
        assertThat(r.status()).as(endpoint + ": " + r).isEqualTo(200);
        return r.body();
    }
}
