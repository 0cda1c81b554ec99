package io.iploop.server.admin;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Admin actions as the real proxy sees them (the server's gateway, its local node in DE, real
 * curl): suspension, bans and deletion refuse the account's keys within the gateway's 5 s credential
 * cache; a plan change or a plan edit reaches the gateway's limits within its 2 s refresh; the
 * admin statistics count the bytes the proxy carried.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class AdminProxyIT {

    /** The gateway caches credentials for 5 s and limits for 2 s; allow for a loaded machine. */
    private static final Duration PROPAGATION = Duration.ofSeconds(15);

    @Autowired
    DataPlane dataPlane;

    private TestOrigin origin;
    private DataPlane.Ports ports;
    private String admin;

    @BeforeAll
    void start() throws Exception {
        origin = TestOrigin.http();
        ports = dataPlane.ports().orElseThrow();
        admin = adminToken();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                call("GET", "/api/proxy/locations", null, null).body().toString().contains("\"DE\""));
    }

    @AfterAll
    void stop() {
        origin.close();
    }

    private record Customer(String userId, String token, String proxyUser) {}

    private Customer customer(boolean unlimited) {
        JsonNode c = unlimited ? registerUnlimitedCustomer() : registerCustomer();
        String key = call("POST", "/api/proxy/keys", token(c), Map.of("name", "admin-test")).body().get("key").asString();
        return new Customer(c.at("/user/id").asString(), token(c), c.at("/user/customerId").asString() + ":" + key);
    }

    private Curl.Result fetch(Customer c, String params, String path) throws Exception {
        return Curl.run("-x", "http://" + c.proxyUser() + params + "@127.0.0.1:" + ports.httpProxy(), origin.url(path));
    }

    private Response patchUser(Customer c, Map<String, ?> body) {
        Response r = call("PATCH", "/api/admin/users/" + c.userId(), admin, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r;
    }

    @Test
    void suspensionBanAndDeletionRefuseTheProxyAndReactivationRestoresIt() throws Exception {
        for (String action : List.of("suspended", "banned", "deleted")) {
            Customer c = customer(true);
            assertThat(fetch(c, "", "/bytes/10").status()).as("before: " + action).isEqualTo(200);
            if (action.equals("deleted")) {
                assertThat(call("DELETE", "/api/admin/users/" + c.userId(), admin, null).status()).isEqualTo(204);
            } else {
                patchUser(c, Map.of("status", action, "reason", "proxy test"));
            }
            assertThat(call("GET", "/api/proxy/keys", c.token(), null).status()).as("JWT after " + action).isEqualTo(401);
            await().atMost(PROPAGATION).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Curl.Result refused = fetch(c, "", "/bytes/10");
                assertThat(refused.status()).as("proxy after " + action).isEqualTo(407);
                assertThat(refused.header("X-IPLoop-Error")).isNotBlank();
            });
            if (action.equals("suspended")) {
                patchUser(c, Map.of("status", "active"));
                await().atMost(PROPAGATION).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> assertThat(fetch(c, "", "/bytes/10").status()).isEqualTo(200));
            }
        }
    }

    @Test
    void aPlanChangeReachesTheProfileAndTheGateway() throws Exception {
        Customer c = customer(false);
        Curl.Result city = fetch(c, "-country-de-city-berlin", "/bytes/10");
        assertThat(city.status()).isEqualTo(403);
        assertThat(city.header("X-IPLoop-Error")).isEqualTo("targeting_not_in_plan");
        // The refusal's bytes are usage too: let them reach the Trial subscription before it ends,
        // so the new plan's balance is exactly its included GB.
        await().atMost(PROPAGATION).untilAsserted(() -> assertThat(call("GET", "/api/usage/summary", c.token(), null)
                .body().get("streams").asLong()).isEqualTo(1));

        Response changed = patchUser(c, Map.of("planId", "growth"));
        assertThat(changed.body().at("/plan/planId").asString()).isEqualTo("growth");
        JsonNode profile = call("GET", "/api/auth/profile", c.token(), null).body();
        assertThat(profile.at("/plan/planId").asString()).isEqualTo("growth");
        assertThat(profile.at("/plan/gbBalance").decimalValue()).isEqualByComparingTo("25");
        // Growth includes city targeting (docs/product/plans.md#entitlements). No city is known for the local node, so
        // the request is no longer refused for the plan; it may find no exit (503).
        await().atMost(PROPAGATION).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(fetch(c, "-country-de-city-berlin", "/bytes/10").header("X-IPLoop-Error"))
                        .isNotEqualTo("targeting_not_in_plan"));

        JsonNode audit = call("GET", "/api/audit-logs?limit=200&action=plan_changed", admin, null).body();
        assertThat(audit.toString()).contains("\"oldPlan\":\"trial\"").contains("\"newPlan\":\"growth\"")
                .contains(c.userId());
    }

    @Test
    void aChangedPlanLimitReachesTheGateway() throws Exception {
        String planId = "proxy-" + Long.toHexString(System.nanoTime());
        Response created = call("POST", "/api/admin/plans", admin, Map.of("id", planId, "name", "Proxy test",
                "includedGb", 1, "maxStickyLifetimeSeconds", 600, "targeting", List.of("country")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        Customer c = customer(false);
        patchUser(c, Map.of("planId", planId));
        await().atMost(PROPAGATION).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(fetch(c, "-country-de", "/bytes/10").status()).isEqualTo(200));
        assertThat(fetch(c, "-country-de-city-berlin", "/bytes/10").header("X-IPLoop-Error"))
                .isEqualTo("targeting_not_in_plan");

        Response edited = call("PATCH", "/api/admin/plans/" + planId, admin,
                Map.of("targeting", List.of("country", "state", "city")));
        assertThat(edited.status()).isEqualTo(200);
        await().atMost(PROPAGATION).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(fetch(c, "-country-de-city-berlin", "/bytes/10").header("X-IPLoop-Error"))
                        .isNotEqualTo("targeting_not_in_plan"));

        // The balance an admin sets is what the gateway enforces: zero GB left is 402. (A customer
        // whose requests were all admitted: the bytes of refusals the gateway wrote to c count as
        // usage but not against its local budget, which would skew the gateway's remaining bytes.)
        Customer d = customer(false);
        patchUser(d, Map.of("planId", planId));
        await().atMost(PROPAGATION).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(fetch(d, "-country-de", "/bytes/10").status()).isEqualTo(200));
        patchUser(d, Map.of("gbBalance", 0, "reason", "test exhaustion"));
        await().atMost(PROPAGATION).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Curl.Result r = fetch(d, "-country-de", "/bytes/10");
            assertThat(r.status()).isEqualTo(402);
            assertThat(r.header("X-IPLoop-Error")).isEqualTo("balance_exhausted");
        });
    }

    @Test
    void statsCountTheBytesTheProxyCarried() throws Exception {
        // Other tests' last usage records may still be on their way (flushed every 200 ms): start
        // from totals that stayed put for a second, so the only new traffic is this test's.
        AtomicReference<JsonNode> settled = new AtomicReference<>(call("GET", "/api/admin/stats", admin, null).body());
        await().atMost(PROPAGATION).pollInterval(Duration.ofSeconds(1)).until(() -> {
            JsonNode now = call("GET", "/api/admin/stats", admin, null).body();
            boolean same = now.at("/trafficLast30Days/streams").asLong()
                    == settled.get().at("/trafficLast30Days/streams").asLong();
            settled.set(now);
            return same;
        });
        JsonNode before = settled.get();
        Customer c = customer(true);
        for (int i = 0; i < 3; i++) {
            assertThat(fetch(c, "", "/bytes/100000").status()).isEqualTo(200);
        }
        // Usage is flushed every 200 ms here; wait until the customer's own summary has all three.
        await().atMost(PROPAGATION).untilAsserted(() -> assertThat(call("GET", "/api/usage/summary", c.token(), null)
                .body().get("totalRequests").asLong()).isEqualTo(3));
        long customerBytes = call("GET", "/api/usage/summary", c.token(), null).body().get("totalBytes").asLong();
        assertThat(customerBytes).isGreaterThan(300_000);

        JsonNode after = call("GET", "/api/admin/stats", admin, null).body();
        assertThat(after.at("/trafficLast30Days/totalBytes").asLong() - before.at("/trafficLast30Days/totalBytes").asLong())
                .isEqualTo(customerBytes);
        assertThat(after.at("/trafficLast30Days/requests").asLong() - before.at("/trafficLast30Days/requests").asLong())
                .isEqualTo(3);
        assertThat(after.at("/trafficToday/totalBytes").asLong()).isGreaterThanOrEqualTo(customerBytes);
    }
}
