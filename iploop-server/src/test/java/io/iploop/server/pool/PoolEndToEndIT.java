package io.iploop.server.pool;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.gateway.testing.TestUpstreamProxy;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The upstream pool as a customer and an operator meet it (docs/upstream-pool.md), across the control
 * plane and the gateway of one running platform: an admin imports a real (test) upstream proxy, the
 * import reaches the gateway at once (no poll wait), the admin grants a customer a pool plan, the
 * customer finds the port in {@code GET /api/proxies}, fetches through it with curl over HTTP and
 * SOCKS5 with their proxy credentials, and the bytes are metered as pool usage on that port, not
 * against the residential plan.
 */
@PlatformTest
class PoolEndToEndIT {

    private static final int BODY = 200_000;

    @Test
    void anImportedUpstreamServesAGrantedCustomerOverHttpAndSocks5AndIsMeteredAsPoolUsage() throws Exception {
        String admin = Api.adminToken();
        JdbcClient jdbc = Api.bean(JdbcClient.class);
        try (TestOrigin origin = TestOrigin.http();
                TestUpstreamProxy upstream = TestUpstreamProxy.start(TestUpstreamProxy.Kind.HTTP, "up", "secret")) {
            HttpResponse<String> imported = HTTP_TEXT(admin, "http://up:secret@127.0.0.1:" + upstream.port() + "\n");
            assertThat(imported.statusCode()).as(imported.body()).isBetween(200, 201);
            int port = -1;
            for (JsonNode u : call("GET", "/api/admin/pool/upstreams", admin, null).body().get("upstreams")) {
                if (u.get("upstreamPort").asInt() == upstream.port() && "127.0.0.1".equals(u.get("host").asString())) {
                    port = u.get("port").asInt();
                    assertThat(u.has("password")).isFalse();
                }
            }
            assertThat(port).as("the import's pool port").isPositive();
            int poolPort = port;
            // The import's event reloads the gateway at once: the port is served without waiting for a poll.
            await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
                JsonNode ports = call("GET", "/api/admin/pool/ports", admin, null).body().get("ports");
                assertThat(ports.valueStream().filter(p -> p.get("port").asInt() == poolPort).findFirst())
                        .hasValueSatisfying(p -> {
                            assertThat(p.get("state").asString()).isEqualTo("UP");
                            assertThat(p.get("upstream").asString()).doesNotContain("secret");
                        });
            });

            JsonNode login = registerCustomer();
            String customerToken = token(login);
            UUID userId = UUID.fromString(login.at("/user/id").asString());
            String customerId = login.at("/user/customerId").asString();
            String key = call("POST", "/api/proxy/keys", customerToken, Map.of("name", "pool")).body().get("key").asString();

            // Without a grant the port refuses the customer.
            Curl.Result refused = Curl.run("-x", "http://" + customerId + ":" + key + "@127.0.0.1:" + poolPort,
                    origin.url("/bytes/10"));
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.header("X-IPLoop-Error")).isEqualTo("pool_access_denied");

            Response granted = call("PUT", "/api/admin/pool/customers/" + userId, admin,
                    Map.of("planId", "basic", "ports", Integer.toString(poolPort)));
            assertThat(granted.status()).as(granted.body().toString()).isEqualTo(200);
            Response list = call("GET", "/api/proxies", customerToken, null, Map.of("Accept", "application/json"));
            assertThat(list.body().get("ports").valueStream().map(JsonNode::asInt)).containsExactly(poolPort);
            assertThat(Api.send("GET", "/api/proxies", customerToken, null, Map.of()).body().lines())
                    .containsExactly(list.body().get("host").asString() + ":" + poolPort);

            long residentialBefore = residentialUsedBytes(jdbc, userId);
            // The gateway refreshes grants every few seconds.
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(Curl.run("-x",
                    "http://" + customerId + ":" + key + "@127.0.0.1:" + poolPort, origin.url("/bytes/10")).status())
                    .isEqualTo(200));
            Curl.Result http = Curl.run("-x", "http://" + customerId + ":" + key + "@127.0.0.1:" + poolPort,
                    origin.url("/bytes/" + BODY));
            assertThat(http.status()).isEqualTo(200);
            assertThat(http.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(BODY));
            Curl.Result socks = Curl.run("--socks5-hostname", customerId + ":" + key + "@127.0.0.1:" + poolPort,
                    origin.url("/bytes/" + BODY));
            assertThat(socks.status()).isEqualTo(200);
            assertThat(socks.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(BODY));
            assertThat(upstream.tunnelsTo(origin.port())).as("both went through the upstream").isGreaterThanOrEqualTo(2);

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(jdbc.sql("""
                    SELECT count(*) FROM usage_records
                    WHERE user_id = :u AND pool_port = :p AND node_id IS NULL AND bytes_downloaded > :body""")
                    .param("u", userId).param("p", poolPort).param("body", BODY).query(Long.class).single())
                    .isGreaterThanOrEqualTo(2));
            assertThat(residentialUsedBytes(jdbc, userId)).as("pool bytes leave the residential plan alone")
                    .isEqualTo(residentialBefore);
        } finally {
            for (JsonNode u : call("GET", "/api/admin/pool/upstreams", admin, null).body().get("upstreams")) {
                if ("127.0.0.1".equals(u.get("host").asString())) {
                    call("DELETE", "/api/admin/pool/upstreams/" + u.get("port").asInt(), admin, null);
                }
            }
        }
    }

    private static long residentialUsedBytes(JdbcClient jdbc, UUID userId) {
        return jdbc.sql("SELECT coalesce(sum(gb_used * 1000000000), 0)::bigint FROM user_plans WHERE user_id = :u")
                .param("u", userId).query(Long.class).single();
    }

    private static HttpResponse<String> HTTP_TEXT(String bearer, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Api.port()
                        + "/api/admin/pool/upstreams?mode=add"))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return Api.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
