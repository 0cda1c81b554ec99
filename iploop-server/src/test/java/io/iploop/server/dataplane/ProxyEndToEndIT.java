package io.iploop.server.dataplane;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The data-plane issue's end-to-end suite: the real server (real PostgreSQL), three real node
 * agents enrolled through the API in different countries and cities, real local origins (HTTP, and
 * HTTPS with a self-signed certificate), and real clients (curl, the JDK HttpClient). Every
 * assertion is something a customer would check: the bytes they get, the exit they see in debug
 * headers, the error they are told, the usage they are billed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class ProxyEndToEndIT {

    private static final int MIB = 1024 * 1024;

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PlansService plans;

    private final List<NodeAgent> agents = new ArrayList<>();
    private TestOrigin http;
    private TestOrigin https;
    private String customerId;
    private String key;
    private String customerToken;
    private DataPlane.Ports ports;

    @BeforeAll
    void enrollNodesAndCustomer() throws Exception {
        http = TestOrigin.http();
        https = TestOrigin.https();
        ports = dataPlane.ports().orElseThrow();

        JsonNode operator = registerCustomer();
        String nodeKey = call("POST", "/api/nodes/keys", token(operator), Map.of("name", "e2e fleet")).body().get("key").asString();
        agents.add(agent(nodeKey, "e2e-de-berlin", "DE", "Berlin"));
        agents.add(agent(nodeKey, "e2e-de-hamburg", "DE", "Hamburg"));
        agents.add(agent(nodeKey, "e2e-us-nyc", "US", "New York"));
        for (NodeAgent a : agents) {
            await().atMost(Duration.ofSeconds(15)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        }

        JsonNode customer = registerCustomer();
        // City/ASN targeting, sticky sessions and bursts of requests: a plan without limits (PlanLimitsIT tests them).
        plans.subscribe(UUID.fromString(customer.at("/user/id").asString()), "enterprise");
        customerId = customer.at("/user/customerId").asString();
        customerToken = token(customer);
        key = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "e2e")).body().get("key").asString();
    }

    @AfterAll
    void stopNodes() {
        agents.forEach(NodeAgent::close);
        http.close();
        https.close();
    }

    private NodeAgent agent(String nodeKey, String deviceId, String country, String city) {
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey, deviceId,
                deviceId, country, null, city, 0, null, "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
        a.start();
        return a;
    }

    private String proxy(String params) {
        return "http://" + customerId + ":" + key + params + "@127.0.0.1:" + ports.httpProxy();
    }

    @Test
    void oneMebibyteThroughAGermanExitIsByteIdenticalAndMeteredExactly() throws Exception {
        Curl.Result r = Curl.run("-x", proxy("-country-DE-debug-1"), http.url("/bytes/" + MIB));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(MIB));
        assertThat(r.header("X-IPLoop-Country")).isEqualTo("DE");
        String nodeId = r.header("X-IPLoop-Node");

        // The record for this request: bytes counted at the customer socket equal what curl counted.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(jdbc.sql("""
                SELECT count(*) FROM usage_records
                WHERE node_id = ?::uuid AND bytes_downloaded = ? AND bytes_uploaded = ? AND success AND proxy_type = 'http'
                """).params(nodeId, r.sizeHeader() + r.sizeDownload(), r.sizeRequest()).query(Long.class).single()).isEqualTo(1));
    }

    @Test
    void theHttpsProxyWithTheSelfSignedCertificateIsByteIdenticalAndMeteredAsThePlainOne() throws Exception {
        DataPlane.TlsPorts tls = dataPlane.tlsPorts().orElseThrow();
        assertThat(tls.selfSigned()).isTrue();
        assertThat(tls.certFile().getFileName()).hasToString("gateway-tls-cert.pem");
        assertThat(java.nio.file.Files.getPosixFilePermissions(tls.certFile().resolveSibling("gateway-tls-key.pem")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        Curl.Result r = Curl.run("--proxy", "https://127.0.0.1:" + tls.httpsProxy(), "--proxy-cacert", tls.certFile().toString(),
                "--proxy-user", customerId + ":" + key + "-country-DE-debug-1", http.url("/bytes/" + MIB));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(MIB));
        String nodeId = r.header("X-IPLoop-Node");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(jdbc.sql("""
                SELECT count(*) FROM usage_records
                WHERE node_id = ?::uuid AND bytes_downloaded = ? AND bytes_uploaded = ? AND success AND proxy_type = 'http'
                """).params(nodeId, r.sizeHeader() + r.sizeDownload(), r.sizeRequest()).query(Long.class).single()).isEqualTo(1));
    }

    @Test
    void httpsThroughAConnectTunnel() throws Exception {
        Curl.Result r = Curl.run("-k", "-x", proxy("-country-us-city-new_york"), https.url("/bytes/" + MIB));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(MIB));
    }

    @Test
    void socks5WithTheNameResolvedAtTheExit() throws Exception {
        Curl.Result r = Curl.run("--socks5-hostname", "127.0.0.1:" + ports.socks(), "--proxy-user", customerId + ":" + key + "-country-us",
                "http://localhost:" + http.port() + "/bytes/65536");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(65536));
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("""
                SELECT count(*) FROM usage_records WHERE proxy_type = 'socks5' AND target_host = 'localhost' AND success
                AND bytes_downloaded >= 65536""").query(Long.class).single() > 0);
    }

    @Test
    void theJdkHttpClientThroughTheProxy() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", ports.httpProxy())))
                .authenticator(new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        return new PasswordAuthentication(customerId, (key + "-country-de").toCharArray());
                    }
                })
                .build();
        HttpResponse<byte[]> res = client.send(HttpRequest.newBuilder(URI.create(http.url("/bytes/200000"))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.body()).isEqualTo(TestOrigin.expectedBytes(200000));
        HttpResponse<String> echo = client.send(HttpRequest.newBuilder(URI.create(http.url("/echo")))
                .POST(HttpRequest.BodyPublishers.ofString("hello through IPLoop")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(echo.body()).isEqualTo("hello through IPLoop");
    }

    @Test
    void rotatingChangesTheExitAndStickyKeepsItUntilTheLifetimeEnds() throws Exception {
        List<String> rotating = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rotating.add(Curl.run("-x", proxy("-country-de-debug-1"), http.url("/bytes/10")).header("X-IPLoop-Node"));
        }
        for (int i = 1; i < rotating.size(); i++) {
            assertThat(rotating.get(i)).isNotEqualTo(rotating.get(i - 1));
        }
        Set<String> sticky = new HashSet<>();
        String session = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        for (int i = 0; i < 4; i++) {
            sticky.add(Curl.run("-x", proxy("-country-de-session-" + session + "-sesstype-sticky-lifetime-2s-debug-1"),
                    http.url("/bytes/10")).header("X-IPLoop-Node"));
        }
        assertThat(sticky).hasSize(1);
        Thread.sleep(2_200);
        String after = Curl.run("-x", proxy("-country-de-session-" + session + "-sesstype-sticky-lifetime-2s-debug-1"),
                http.url("/bytes/10")).header("X-IPLoop-Node");
        assertThat(after).isNotIn(sticky);
    }

    @Test
    void errorsNameTheirCause() throws Exception {
        Curl.Result wrongKey = Curl.run("-x", "http://" + customerId + ":iploop_" + "0".repeat(48) + "@127.0.0.1:" + ports.httpProxy(),
                http.url("/bytes/10"));
        assertThat(wrongKey.status()).isEqualTo(407);
        assertThat(wrongKey.header("X-IPLoop-Error")).isNotBlank();
        assertThat(wrongKey.header("Proxy-Status")).isNotBlank();

        Curl.Result noCountry = Curl.run("-x", proxy("-country-fr"), http.url("/bytes/10"));
        assertThat(noCountry.status()).isEqualTo(503);
        assertThat(noCountry.header("X-IPLoop-Alternatives")).contains("country-DE").contains("country-US");

        Curl.Result malformed = Curl.run("-x", proxy("-lifetime-0"), http.url("/bytes/10"));
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.header("X-IPLoop-Error") + " " + malformed.bodyText()).contains("lifetime");
    }

    @Test
    void aDisabledKeyStopsWorkingWithinFiveSeconds() throws Exception {
        JsonNode owner = registerCustomer();
        JsonNode created = call("POST", "/api/proxy/keys", token(owner), Map.of("name", "to disable")).body();
        String url = "http://" + owner.at("/user/customerId").asString() + ":" + created.get("key").asString()
                + "@127.0.0.1:" + ports.httpProxy();
        assertThat(Curl.run("-x", url, http.url("/bytes/10")).status()).isEqualTo(200);

        assertThat(call("PATCH", "/api/proxy/keys/" + created.get("id").asString(), token(owner), Map.of("isActive", false)).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(250))
                .until(() -> Curl.run("-x", url, http.url("/bytes/10")).status() == 407);
    }

    @Test
    void theNodesApiListsTheEnrolledExits() {
        JsonNode locations = call("GET", "/api/proxy/locations", null, null).body();
        assertThat(locations.toString()).contains("\"US\"").contains("\"DE\"");
    }

    /**
     * docs/product/proxy.md#session-control: the API lists a sticky session made through the proxy,
     * extends it, and closes it; the session's next request then lands on the other German node
     * (with two matching nodes this is certain, not likely: the new pin avoids the closed one).
     */
    @Test
    void aStickySessionListedByTheApiIsClosedAndTheNextRequestGetsAnotherExit() throws Exception {
        String session = "api" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String user = proxy("-country-de-session-" + session + "-sesstype-sticky-lifetime-10m-debug-1");
        String first = Curl.run("-x", user, http.url("/bytes/10")).header("X-IPLoop-Node");
        assertThat(Curl.run("-x", user, http.url("/bytes/10")).header("X-IPLoop-Node")).isEqualTo(first);

        JsonNode listed = listedSession(session);
        assertThat(listed).as("GET /api/proxy/sessions lists " + session).isNotNull();
        assertThat(listed.get("nodeId").asString()).isEqualTo(first);
        assertThat(listed.get("country").asString()).isEqualTo("DE");
        assertThat(listed.has("city")).as("city, null when the node's location has none").isTrue();
        assertThat(listed.get("nodeAgeSeconds").asLong()).isNotNegative();
        Instant expires = Instant.parse(listed.get("expiresAt").asString());

        Thread.sleep(1_100);
        Response refreshed = call("POST", "/api/proxy/sessions/refresh", customerToken, Map.of("id", session));
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        assertThat(Instant.parse(refreshed.body().get("expiresAt").asString())).isAfter(expires);
        assertThat(call("POST", "/api/proxy/sessions/refresh", customerToken, Map.of("id", "nosuch" + session)).status())
                .isEqualTo(404);
        assertThat(call("POST", "/api/proxy/sessions/refresh", customerToken, Map.of("id", "")).status()).isEqualTo(400);

        JsonNode other = registerCustomer();
        assertThat(call("DELETE", "/api/proxy/sessions/" + session, token(other), null).status()).isEqualTo(404);
        assertThat(listedSession(session)).as("another account's DELETE leaves it").isNotNull();

        assertThat(call("DELETE", "/api/proxy/sessions/" + session, customerToken, null).status()).isEqualTo(204);
        assertThat(listedSession(session)).isNull();
        assertThat(call("DELETE", "/api/proxy/sessions/" + session, customerToken, null).status()).isEqualTo(404);

        String next = Curl.run("-x", user, http.url("/bytes/10")).header("X-IPLoop-Node");
        assertThat(next).isNotEqualTo(first);
        assertThat(Curl.run("-x", user, http.url("/bytes/10")).header("X-IPLoop-Node")).isEqualTo(next);
        assertThat(listedSession(session).get("nodeId").asString()).isEqualTo(next);
    }

    private @Nullable JsonNode listedSession(String session) {
        Response r = call("GET", "/api/proxy/sessions", customerToken, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        for (JsonNode s : r.body().get("sessions")) {
            if (s.get("id").asString().equals(session)) {
                return s;
            }
        }
        return null;
    }
}
