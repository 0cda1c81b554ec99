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
import io.iploop.tunnel.TunnelSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frozen node agent (a real {@code proxyclaw start} process stopped with SIGSTOP). Under
 * traffic the customer's request is retried on the other node and succeeds, and the frozen node
 * is reported offline within 10 s (also at the node hub's 60 s idle heartbeat); without traffic, at a
 * 10 s idle heartbeat, within 30 s (docs/protocol.md §6,
 * docs/product/proxy.md Failover).
 */
class FrozenAgentIT {

    private static final String CUSTOMER = "cust_test";
    private static final String KEY = "iploop_" + "cd".repeat(24);
    private static final String NODE_KEY = "ipn_" + "0123456789abcdef".repeat(3);
    private static final UUID USER = UUID.randomUUID();

    private final Map<String, UUID> nodeIds = new ConcurrentHashMap<>();
    private final Map<UUID, Instant> disconnected = new ConcurrentHashMap<>();
    private Gateway gateway;
    private TestOrigin origin;
    private NodeAgent healthy;
    private Process frozen;

    @TempDir
    Path home;

    /** Starts the gateway with {@code tunnel}: the shipped node hub's, or a 10 s idle heartbeat. */
    private void start(TunnelSettings tunnel) throws Exception {
        origin = TestOrigin.http();
        GatewayConfig t = GatewayConfig.forTests();
        gateway = Gateway.builder(new GatewayConfig(t.bindAddress(), 0, 0, 0, true, List.of(), List.of(),
                        t.authCacheTtl(), t.usageFlushInterval(), tunnel))
                .proxyAuthenticator((customerId, keyHash, ip) -> CompletableFuture.completedFuture(
                        customerId.equals(CUSTOMER) && keyHash.equals(KeyHashes.sha256Hex(KEY))
                                ? new AuthResult.Accepted(new CustomerPrincipal(USER, CUSTOMER, UUID.randomUUID()))
                                : new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown key")))
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(hello.nodeKeySha256Hex().equals(KeyHashes.sha256Hex(NODE_KEY))
                        ? new NodeAdmission.Admitted(nodeIds.computeIfAbsent(hello.deviceId(), d -> UUID.randomUUID()), USER,
                                "DE", null, "berlin", 3320, null, "wifi")
                        : new NodeAdmission.Refused("unknown node key")))
                .usageSink(records -> { })
                .nodeStore(new NodeStore() {
                    @Override
                    public void connected(UUID nodeId, String ipAddress, Instant at) {}

                    @Override
                    public void disconnected(UUID nodeId, Instant at) {
                        disconnected.put(nodeId, Instant.now());
                    }

                    @Override
                    public void addCounters(List<NodeCounters> deltas) {}
                })
                .meterRegistry(new SimpleMeterRegistry())
                .build();
        gateway.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (frozen != null) {
            frozen.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (healthy != null) {
            healthy.close();
        }
        gateway.close();
        origin.close();
    }

    private URI hub() {
        return URI.create("ws://127.0.0.1:" + gateway.nodeHubPort() + "/ws");
    }

    /** {@code proxyclaw start} in its own JVM, with the test's class path. */
    private Process startAgentProcess(String deviceId) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                "io.iploop.node.cli.ProxyClawCli", "start")
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("agent-process.log").toFile());
        pb.environment().put("PROXYCLAW_HOME", home.toString());
        pb.environment().put("PROXYCLAW_GATEWAY", hub().toString());
        pb.environment().put("PROXYCLAW_KEY", NODE_KEY);
        pb.environment().put("PROXYCLAW_DEVICE_ID", deviceId);
        pb.environment().put("PROXYCLAW_COUNTRY", "DE");
        pb.environment().put("PROXYCLAW_ALLOW_LOOPBACK", "true");
        pb.environment().put("PROXYCLAW_ALLOWED_PORTS", "all");
        return pb.start();
    }

    private static void signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private String proxy(String params) {
        return "http://" + CUSTOMER + ":" + KEY + params + "@127.0.0.1:" + gateway.httpProxyPort();
    }

    @Test
    void aStoppedAgentsCustomerIsRetriedOnAnotherNodeAndTheAgentIsOfflineWithinTenSeconds() throws Exception {
        // The shipped hub (60 s idle heartbeat): a node frozen while idle is found at its first use.
        start(TunnelSettings.NODE_HUB_DEFAULTS);
        healthy = new NodeAgent(new AgentConfig(hub(), NODE_KEY, "de-healthy", "de-healthy", "DE", null, "berlin", 0, null,
                "wifi", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
        healthy.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> healthy.status().state() == AgentStatus.State.CONNECTED);
        frozen = startAgentProcess("de-frozen");
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.nodes().connectedNodes().size() == 2);
        String frozenId = nodeIds.get("de-frozen").toString();

        // A sticky session pinned to the agent that will freeze.
        String session = null;
        for (int i = 0; i < 20 && session == null; i++) {
            String params = "-session-s" + i + "-sesstype-sticky-debug-1";
            Curl.Result r = Curl.run("-m", "20", "-x", proxy(params), origin.url("/bytes/100"));
            assertThat(r.status()).isEqualTo(200);
            if (frozenId.equals(r.header("X-IPLoop-Node"))) {
                session = params;
            }
        }
        assertThat(session).as("some sticky session lands on the agent process").isNotNull();

        signal(frozen, "STOP");
        Instant stoppedAt = Instant.now();
        try {
            Curl.Result retried = Curl.run("-m", "20", "-x", proxy(session), origin.url("/bytes/1000"));
            assertThat(retried.status()).as("retried on the healthy node").isEqualTo(200);
            assertThat(retried.bodyBytes()).hasSize(1000);
            assertThat(retried.header("X-IPLoop-Node")).isEqualTo(nodeIds.get("de-healthy").toString());
            assertThat(Duration.between(stoppedAt, Instant.now())).isLessThan(Duration.ofSeconds(8));

            Curl.Result again = Curl.run("-m", "20", "-x", proxy(session), origin.url("/bytes/10"));
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.header("X-IPLoop-Node")).as("the session stays on its new node")
                    .isEqualTo(nodeIds.get("de-healthy").toString());

            await().atMost(Duration.ofSeconds(12)).pollInterval(Duration.ofMillis(100))
                    .until(() -> disconnected.containsKey(nodeIds.get("de-frozen")));
            assertThat(Duration.between(stoppedAt, disconnected.get(nodeIds.get("de-frozen"))))
                    .as("offline within 10 s of the freeze").isLessThan(Duration.ofSeconds(10));
            assertThat(gateway.nodes().connectedNodes()).hasSize(1);
            assertThat(Files.readString(home.resolve("agent-process.log"))).contains("connected");
        } finally {
            signal(frozen, "CONT");
        }
    }

    @Test
    void anIdleStoppedAgentIsOfflineWithinThirtySeconds() throws Exception {
        // A hub that asks for the 10 s idle heartbeat (the shipped one asks for 60 s: 150-165 s).
        start(TunnelSettings.DEFAULTS);
        frozen = startAgentProcess("de-idle");
        await().atMost(Duration.ofSeconds(60)).until(() -> gateway.nodes().connectedNodes().size() == 1);
        UUID id = nodeIds.get("de-idle");

        signal(frozen, "STOP");
        Instant stoppedAt = Instant.now();
        try {
            await().atMost(Duration.ofSeconds(35)).pollInterval(Duration.ofMillis(200)).until(() -> disconnected.containsKey(id));
            assertThat(Duration.between(stoppedAt, disconnected.get(id))).as("offline within 30 s without traffic")
                    .isLessThan(Duration.ofSeconds(30))
                    .as("not before the idle dead-peer timeout").isGreaterThan(Duration.ofSeconds(10));
            assertThat(gateway.nodes().connectedNodes()).isEmpty();
        } finally {
            signal(frozen, "CONT");
        }
    }
}
