package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.PortPolicy;
import io.iploop.tunnel.TunnelSettings;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/node-agent.md#allowed-ports with a real gateway and real agents: a node whose policy refuses
 * the destination port is skipped before any stream is opened, and when only such nodes are left
 * the customer gets the ordinary no-exit answer naming the port. The local origin listens on an
 * ephemeral port, which the default 80/443 policy refuses just as it refuses 22.
 */
class PortPolicyRoutingIT {

    private static final String CUSTOMER = "cust_test";
    private static final String KEY = "iploop_" + "cd".repeat(24);
    private static final UUID USER = UUID.randomUUID();

    private final Map<String, String> deviceByKeyHash = new ConcurrentHashMap<>();
    private final Map<String, UUID> nodeIds = new ConcurrentHashMap<>();
    private final List<NodeAgent> agents = new ArrayList<>();
    private Gateway gateway;
    private TestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.http();
        GatewayConfig t = GatewayConfig.forTests();
        GatewayConfig config = new GatewayConfig(t.bindAddress(), 0, 0, 0, true, List.of(), List.of(),
                t.authCacheTtl(), t.usageFlushInterval(), TunnelSettings.DEFAULTS);
        gateway = Gateway.builder(config)
                .proxyAuthenticator((customerId, keyHash, ip) -> CompletableFuture.completedFuture(
                        customerId.equals(CUSTOMER) && keyHash.equals(KeyHashes.sha256Hex(KEY))
                                ? new AuthResult.Accepted(new CustomerPrincipal(USER, CUSTOMER, UUID.randomUUID()))
                                : new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown key")))
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(
                        deviceByKeyHash.containsKey(hello.nodeKeySha256Hex())
                                ? new NodeAdmission.Admitted(nodeIds.computeIfAbsent(hello.deviceId(), d -> UUID.randomUUID()),
                                        USER, "DE", null, "berlin", 3320, null, "wifi")
                                : new NodeAdmission.Refused("unknown node key")))
                .usageSink(records -> {})
                .nodeStore(NodeStore.NONE)
                .build();
        gateway.start();
    }

    @AfterEach
    void stop() {
        agents.forEach(NodeAgent::close);
        gateway.close();
        origin.close();
    }

    private NodeAgent startAgent(String deviceId, PortPolicy ports) {
        String key = "ipn_" + UUID.randomUUID().toString().replace("-", "") + "0".repeat(16);
        deviceByKeyHash.put(KeyHashes.sha256Hex(key), deviceId);
        NodeAgent agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + gateway.nodeHubPort() + "/ws"), key,
                deviceId, deviceId, "DE", null, "berlin", 0, null, "wifi", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS));
        agent.allowPorts(ports);
        agent.start();
        agents.add(agent);
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
        return agent;
    }

    private String proxy(String params) {
        return "http://" + CUSTOMER + ":" + KEY + params + "@127.0.0.1:" + gateway.httpProxyPort();
    }

    @Test
    void streamsToAPortTheRestrictiveNodeRefusesGoToThePermissiveOne() throws Exception {
        assertThat(PortPolicy.WEB.allows(origin.port())).as("the origin's port is outside 80/443").isFalse();
        NodeAgent web = startAgent("web-only", PortPolicy.WEB);
        startAgent("all-ports", PortPolicy.ALL);
        await().until(() -> gateway.nodes().connectedNodes().size() == 2);

        for (int i = 0; i < 8; i++) {
            Curl.Result r = Curl.run("-x", proxy("-debug-1"), origin.url("/bytes/100"));
            assertThat(r.status()).as(r.stderr()).isEqualTo(200);
            assertThat(r.header("X-IPLoop-Node")).isEqualTo(nodeIds.get("all-ports").toString());
            assertThat(r.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(100));
        }
        assertThat(connect()).startsWith("HTTP/1.1 200");
        // Skipped before OPEN: the restrictive agent never saw (and refused) a stream.
        assertThat(web.status().streamsServed()).isZero();
    }

    @Test
    void withOnlyARestrictiveNodeTheCustomerGetsTheNoExitAnswerNamingThePort() throws Exception {
        NodeAgent web = startAgent("web-only", PortPolicy.WEB);
        await().until(() -> gateway.nodes().connectedNodes().size() == 1);

        Curl.Result r = Curl.run("-x", proxy(""), origin.url("/bytes/10"));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("X-IPLoop-Error")).isEqualTo("no_matching_exit");
        assertThat(r.bodyText()).contains("port " + origin.port());
        assertThat(connect()).startsWith("HTTP/1.1 503").contains("no_matching_exit");
        assertThat(web.status().streamsServed()).isZero();
    }

    /** A raw CONNECT to the origin; returns the proxy's response head. */
    private String connect() throws Exception {
        try (Socket s = new Socket("127.0.0.1", gateway.httpProxyPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            String auth = Base64.getEncoder().encodeToString((CUSTOMER + ":" + KEY).getBytes(StandardCharsets.UTF_8));
            String target = "127.0.0.1:" + origin.port();
            out.write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                head.append((char) c);
                if (head.indexOf("\r\n\r\n") >= 0) {
                    break;
                }
            }
            return head.toString();
        }
    }
}
