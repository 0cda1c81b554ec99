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
import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Issue 14, access and session control, through the real server, real node agents and real
 * clients (curl): IP-authorised access without credentials (docs/ip-authorised-access.md),
 * {@code sesstype-strict} sessions and sticky sessions that survive a gateway restart
 * (docs/product/proxy.md#sessions). The tests run from 127.0.0.1, the address the first test
 * authorises and then gives back (other suites on the shared platform expect 407 without
 * credentials).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@PlatformTest
class IpAuthorisedAccessIT {

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PlansService plans;

    private final List<NodeAgent> agents = new ArrayList<>();
    private TestOrigin http;
    private String nodeKey;
    private UUID userId;
    private String customerId;
    private String key;
    private String customerToken;

    @BeforeAll
    void enrollNodesAndCustomer() throws Exception {
        http = TestOrigin.http();
        JsonNode operator = registerCustomer();
        nodeKey = call("POST", "/api/nodes/keys", token(operator), Map.of("name", "ipauth fleet")).body().get("key").asString();
        JsonNode customer = registerCustomer();
        userId = UUID.fromString(customer.at("/user/id").asString());
        plans.subscribe(userId, "enterprise");
        customerId = customer.at("/user/customerId").asString();
        customerToken = token(customer);
        key = call("POST", "/api/proxy/keys", customerToken, Map.of("name", "ipauth")).body().get("key").asString();
    }

    @AfterAll
    void stop() {
        call("PUT", "/api/account/ip-authorisations", customerToken, Map.of("entries", List.of()));
        agents.forEach(NodeAgent::close);
        http.close();
    }

    private NodeAgent agent(String deviceId, String country) {
        DataPlane.Ports ports = dataPlane.ports().orElseThrow();
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey, deviceId,
                deviceId, country, null, null, 0, null, "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
        a.start();
        agents.add(a);
        await().atMost(Duration.ofSeconds(15)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        return a;
    }

    private String proxy() {
        return "http://127.0.0.1:" + dataPlane.ports().orElseThrow().httpProxy();
    }

    private String proxy(String params) {
        return "http://" + customerId + ":" + key + params + "@127.0.0.1:" + dataPlane.ports().orElseThrow().httpProxy();
    }

    private static Map<String, Object> entry(String ip, String targeting) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ip", ip);
        m.put("targeting", targeting);
        return m;
    }

    @Test
    @Order(1)
    void anAuthorisedAddressIsServedWithoutCredentialsAsItsAccountAndTheHeaderOverridesTargeting() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        agent("ipauth-nz-" + suffix, "NZ");

        Curl.Result refused = Curl.run("-x", proxy(), http.url("/bytes/10"));
        assertThat(refused.status()).isEqualTo(407);
        assertThat(refused.header("X-IPLoop-Error")).isEqualTo("missing_credentials");
        assertThat(Curl.run("--socks5-hostname", "127.0.0.1:" + dataPlane.ports().orElseThrow().socks(),
                "http://localhost:" + http.port() + "/bytes/10").exitCode()).as("SOCKS5 without credentials").isNotZero();

        // Bad input names the field; nothing is stored.
        Response bad = call("PUT", "/api/account/ip-authorisations", customerToken,
                Map.of("entries", List.of(entry("127.0.0.1/32", "country-zz"))));
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.toString()).contains("entries[0].targeting").contains("country");
        Response overlapping = call("PUT", "/api/account/ip-authorisations", customerToken,
                Map.of("entries", List.of(entry("10.1.2.0/24", ""), entry("10.1.2.3", ""))));
        assertThat(overlapping.status()).as(overlapping.toString()).isEqualTo(400);
        assertThat(overlapping.toString()).contains("entries[1].ip").contains("overlaps");
        Response tooWide = call("PUT", "/api/account/ip-authorisations", customerToken,
                Map.of("entries", List.of(entry("127.0.0.0/8", ""))));
        assertThat(tooWide.status()).as(tooWide.toString()).isEqualTo(400);
        assertThat(tooWide.toString()).contains("entries[0].ip").contains("wider than a /24");
        assertThat(call("GET", "/api/account/ip-authorisations", customerToken, null).body().get("entries")).isEmpty();

        Response set = call("PUT", "/api/account/ip-authorisations", customerToken,
                Map.of("entries", List.of(entry("127.0.0.1/32", "country-nz-debug-1"))));
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.body().at("/entries/0/ip").asString()).isEqualTo("127.0.0.1");
        assertThat(set.body().at("/entries/0/targeting").asString()).isEqualTo("country-nz-debug-1");

        // One address, one account: another account cannot claim it, nor a range holding it.
        JsonNode other = registerCustomer();
        Response claimed = call("PUT", "/api/account/ip-authorisations", token(other),
                Map.of("entries", List.of(entry("127.0.0.0/24", ""))));
        assertThat(claimed.status()).as(claimed.toString()).isEqualTo(409);
        assertThat(claimed.toString()).contains("ip_already_authorised");

        // Served within the credential cache's 5 s, with the address's default targeting.
        await().atMost(Duration.ofSeconds(7)).pollInterval(Duration.ofMillis(250))
                .until(() -> Curl.run("-x", proxy(), http.url("/bytes/10")).status() == 200);
        Curl.Result served = Curl.run("-x", proxy(), http.url("/bytes/1000"));
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(1000));
        assertThat(served.header("X-IPLoop-Country")).isEqualTo("NZ");
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("""
                SELECT count(*) FROM usage_records
                WHERE user_id = ? AND api_key_id IS NULL AND success AND proxy_type = 'http' AND bytes_downloaded >= 1000""")
                .params(userId).query(Long.class).single() > 0);

        // X-IPLoop-Targeting replaces the default and never reaches the origin.
        Curl.Result overridden = Curl.run("-x", proxy(), "-H", "X-IPLoop-Targeting: country-nz-session-hdr1-debug-1",
                http.url("/headers"));
        assertThat(overridden.status()).isEqualTo(200);
        assertThat(overridden.header("X-IPLoop-Session")).isEqualTo("hdr1");
        assertThat(overridden.bodyText().toLowerCase()).doesNotContain("x-iploop-targeting");
        Curl.Result badHeader = Curl.run("-x", proxy(), "-H", "X-IPLoop-Targeting: country-zz", http.url("/bytes/10"));
        assertThat(badHeader.status()).isEqualTo(400);
        assertThat(badHeader.bodyText()).contains("X-IPLoop-Targeting").contains("country");

        // HTTPS through CONNECT, and SOCKS5 offering only "no authentication".
        Curl.Result connect = Curl.run("-p", "-x", proxy(), http.url("/bytes/2000"));
        assertThat(connect.status()).isEqualTo(200);
        assertThat(connect.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(2000));
        Curl.Result socks = Curl.run("--socks5-hostname", "127.0.0.1:" + dataPlane.ports().orElseThrow().socks(),
                "http://localhost:" + http.port() + "/bytes/65536");
        assertThat(socks.exitCode()).as(socks.stderr()).isZero();
        assertThat(socks.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(65536));
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("""
                SELECT count(*) FROM usage_records
                WHERE user_id = ? AND api_key_id IS NULL AND success AND proxy_type = 'socks5' AND bytes_downloaded >= 65536""")
                .params(userId).query(Long.class).single() > 0);

        // Credentials, when sent, still win: a wrong key is refused even from the authorised address.
        Curl.Result wrongKey = Curl.run("-x", "http://" + customerId + ":iploop_" + "0".repeat(48) + "@127.0.0.1:"
                + dataPlane.ports().orElseThrow().httpProxy(), http.url("/bytes/10"));
        assertThat(wrongKey.status()).isEqualTo(407);
        assertThat(wrongKey.header("X-IPLoop-Error")).isEqualTo("bad_credentials");

        // Given back: refused again within the cache window, and the other account may claim it now.
        assertThat(call("PUT", "/api/account/ip-authorisations", customerToken, Map.of("entries", List.of())).status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(7)).pollInterval(Duration.ofMillis(250))
                .until(() -> Curl.run("-x", proxy(), http.url("/bytes/10")).status() == 407);
        assertThat(call("PUT", "/api/account/ip-authorisations", token(other),
                Map.of("entries", List.of(entry("127.0.0.0/24", ""))))
                .status()).isEqualTo(200);
        assertThat(call("PUT", "/api/account/ip-authorisations", token(other), Map.of("entries", List.of())).status())
                .isEqualTo(200);
    }

    /**
     * docs/product/proxy.md#sessions: when a sticky session's exit leaves, a strict session fails
     * with 503 session_exit_gone while a plain sticky session pinned to the same exit moves.
     */
    @Test
    @Order(2)
    void aStrictSessionFailsWhenItsExitLeavesWhileAStickyOneMoves() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, NodeAgent> byNode = new LinkedHashMap<>();
        NodeAgent a = agent("ipauth-is-a-" + suffix, "IS");
        NodeAgent b = agent("ipauth-is-b-" + suffix, "IS");
        String strict = "strict" + suffix;
        String strictNode = Curl.run("-x", proxy("-country-is-session-" + strict + "-sesstype-strict-debug-1"),
                http.url("/bytes/10")).header("X-IPLoop-Node");
        assertThat(strictNode).isNotNull();
        String sticky = null;
        for (int i = 0; i < 30 && sticky == null; i++) {
            String s = "sticky" + i + suffix;
            String node = Curl.run("-x", proxy("-country-is-session-" + s + "-sesstype-sticky-debug-1"), http.url("/bytes/10"))
                    .header("X-IPLoop-Node");
            if (strictNode.equals(node)) {
                sticky = s;
            }
        }
        assertThat(sticky).as("a sticky session pinned to the strict session's exit").isNotNull();
        // Stop the agent that carries both sessions.
        byNode.put(nodeIdOf(a), a);
        byNode.put(nodeIdOf(b), b);
        NodeAgent pinned = byNode.get(strictNode);
        assertThat(pinned).as("the pinned exit is one of this test's agents").isNotNull();
        pinned.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("SELECT status FROM nodes WHERE id = ?::uuid")
                .params(strictNode).query(String.class).single().equals("inactive"));

        Curl.Result gone = Curl.run("-x", proxy("-country-is-session-" + strict + "-sesstype-strict-debug-1"), http.url("/bytes/10"));
        assertThat(gone.status()).isEqualTo(503);
        assertThat(gone.header("X-IPLoop-Error")).isEqualTo("session_exit_gone");
        assertThat(gone.header("Proxy-Status")).contains("error=destination_unavailable").contains(strict);

        Curl.Result moved = Curl.run("-x", proxy("-country-is-session-" + sticky + "-sesstype-sticky-debug-1"), http.url("/bytes/10"));
        assertThat(moved.status()).isEqualTo(200);
        assertThat(moved.header("X-IPLoop-Node")).isNotEqualTo(strictNode);
    }

    private String nodeIdOf(NodeAgent agent) {
        return jdbc.sql("SELECT id::text FROM nodes WHERE device_id = ?").params(agent.config().deviceId()).query(String.class).single();
    }

    /**
     * docs/product/proxy.md#sessions-across-restarts: six sticky sessions spread over two exits keep
     * their exits when the gateway stops and starts again over the same database (without the
     * store, all six would keep theirs by chance once in 64 runs).
     */
    @Test
    @Order(3)
    void stickySessionsKeepTheirExitsAcrossAGatewayRestart() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String[] devices = {"ipauth-cl-a-" + suffix, "ipauth-cl-b-" + suffix};
        List<NodeAgent> fleet = new ArrayList<>();
        for (String d : devices) {
            fleet.add(agent(d, "CL"));
        }
        Map<String, String> exitBySession = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            String s = "restart" + i + suffix;
            Curl.Result r = Curl.run("-x", proxy("-country-cl-session-" + s + "-sesstype-sticky-lifetime-30m-debug-1"),
                    http.url("/bytes/10"));
            assertThat(r.status()).isEqualTo(200);
            exitBySession.put(s, r.header("X-IPLoop-Node"));
        }
        assertThat(new HashSet<>(exitBySession.values())).as("both exits carry sessions").hasSize(2);
        // The pins reach the database within about a second (batched off the proxy path).
        await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.sql(
                "SELECT count(*) FROM proxy_sticky_sessions WHERE user_id = ? AND session_id LIKE ?")
                .params(userId, "restart%" + suffix).query(Long.class).single() == 6);

        fleet.forEach(NodeAgent::close);
        agents.removeAll(fleet);
        dataPlane.stop();
        dataPlane.start();
        for (String d : devices) {
            agent(d, "CL");
        }
        for (Map.Entry<String, String> e : exitBySession.entrySet()) {
            Curl.Result r = Curl.run("-x", proxy("-country-cl-session-" + e.getKey() + "-sesstype-sticky-lifetime-30m-debug-1"),
                    http.url("/bytes/10"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-IPLoop-Node")).as("session " + e.getKey()).isEqualTo(e.getValue());
        }
        // Listed with the bytes it carried since (a counter in memory: the request after the restart).
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode listed = null;
            for (JsonNode s : call("GET", "/api/proxy/sessions", customerToken, null).body().get("sessions")) {
                if (s.get("id").asString().equals("restart0" + suffix)) {
                    listed = s;
                }
            }
            assertThat(listed).as("restart0 listed").isNotNull();
            assertThat(listed.get("nodeId").asString()).isEqualTo(exitBySession.get("restart0" + suffix));
            assertThat(listed.get("bytes").asLong()).isGreaterThan(10);
        });
    }
}
