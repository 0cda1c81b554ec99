package io.iploop.server.plans;

import static io.iploop.server.testing.Api.HTTP;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.PlatformTest;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A real account's plan enforced by the real proxy (the server's gateway, its local node, real
 * PostgreSQL, real curl): a Trial account (docs/product/plans.md#rate-limits: 2 requests/s; docs/product/plans.md#entitlements: country
 * targeting only) and its GB balance; and the REST API's rate-limit headers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class PlanLimitsIT {

    @LocalServerPort
    int port;

    private static final long MIB = 1 << 20;

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JdbcClient jdbc;

    private TestOrigin origin;
    private DataPlane.Ports ports;

    @BeforeAll
    void start() throws Exception {
        origin = TestOrigin.http();
        ports = dataPlane.ports().orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                call("GET", "/api/proxy/locations", null, null).body().toString().contains("\"DE\""));
    }

    @AfterAll
    void stop() {
        origin.close();
    }

    private record Customer(UUID userId, String proxyUser) {}

    private Customer trialCustomer() {
        JsonNode c = registerCustomer();
        String key = call("POST", "/api/proxy/keys", token(c), Map.of("name", "limits")).body().get("key").asString();
        return new Customer(UUID.fromString(c.at("/user/id").asString()), c.at("/user/customerId").asString() + ":" + key);
    }

    private String proxy(Customer c, String params) {
        return "http://" + c.proxyUser() + params + "@127.0.0.1:" + ports.httpProxy();
    }

    @Test
    void aTrialPlanRefusesCityTargetingAndMoreThanTwoRequestsPerSecond() throws Exception {
        Customer c = trialCustomer();
        Curl.Result city = Curl.run("-x", proxy(c, "-country-de-city-berlin"), origin.url("/bytes/10"));
        assertThat(city.status()).isEqualTo(403);
        assertThat(city.header("X-IPLoop-Error")).isEqualTo("targeting_not_in_plan");
        assertThat(city.bodyText()).contains("city");

        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "-x", proxy(c, "-country-de"),
                "-w", "%{http_code} %header{retry-after} %header{x-iploop-error}\\n"));
        for (int i = 0; i < 8; i++) {
            cmd.addAll(List.of("-o", "/dev/null", origin.url("/bytes/10")));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(lines).hasSize(8).contains("429 1 rate_limited");
        assertThat(lines.stream().filter(l -> l.startsWith("200"))).isNotEmpty();
    }

    @Test
    void anExhaustedBalanceCutsTheDownloadAndTheNextRequestGets402() throws Exception {
        Customer c = trialCustomer();
        // 3 MB left of the Trial's 0.5 GB.
        jdbc.sql("UPDATE user_plans SET gb_balance = 0.003 WHERE user_id = :u AND status = 'active'")
                .param("u", c.userId()).update();
        Curl.Result cut = Curl.run("-x", proxy(c, ""), origin.url("/bytes/" + 64 * MIB));
        assertThat(cut.exitCode()).as("the download is cut").isNotZero();
        assertThat(cut.sizeDownload()).as("never more than the balance").isGreaterThan(MIB).isLessThanOrEqualTo(3_000_000);

        Curl.Result next = Curl.run("-x", proxy(c, ""), origin.url("/bytes/10"));
        assertThat(next.status()).isEqualTo(402);
        assertThat(next.header("X-IPLoop-Error")).isEqualTo("balance_exhausted");

        // The plans feature moved exactly the metered bytes from the balance to the used GB.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            long metered = jdbc.sql("SELECT COALESCE(sum(bytes_downloaded + bytes_uploaded), 0) FROM usage_records WHERE user_id = :u")
                    .param("u", c.userId()).query(Long.class).single();
            BigDecimal used = jdbc.sql("SELECT gb_used FROM user_plans WHERE user_id = :u AND status = 'active'")
                    .param("u", c.userId()).query(BigDecimal.class).single();
            assertThat(metered).isGreaterThan(MIB);
            assertThat(used.movePointRight(9).longValueExact()).isEqualTo(metered);
        });
    }

    @Test
    void restResponsesCarryRateLimitHeaders() throws Exception {
        JsonNode c = registerCustomer();
        HttpResponse<String> first = get("/api/proxy/keys", token(c));
        HttpResponse<String> second = get("/api/proxy/keys", token(c));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("X-RateLimit-Limit")).contains("600");
        // Each answer reports the bucket after its own request took a token. The bucket refills one
        // token per 100 ms, so on a slow machine the second may find it full again: compare each
        // with the limit, not with each other.
        long remaining1 = Long.parseLong(first.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        long remaining2 = Long.parseLong(second.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        assertThat(remaining1).isBetween(0L, 599L);
        assertThat(remaining2).isBetween(0L, 599L);
        assertThat(first.headers().firstValue("X-RateLimit-Reset")).isPresent();

        HttpResponse<String> anonymous = get("/api/plans", null);
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(anonymous.headers().firstValue("X-RateLimit-Remaining")).isPresent();
        assertThat(anonymous.body()).contains("\"requestsPerSecond\":2").contains("\"targeting\":[\"country\"]");
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
