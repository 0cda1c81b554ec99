package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's end of its tunnel connection carries a kernel TCP keepalive of 20 s (read from the
 * kernel with {@code ss}), so an agent told to PING only every 60 s (a node hub's WELCOME, docs/protocol.md
 * §6) still leaves a gateway whose host vanished within 40 s.
 */
class NodeKeepaliveIT {

    private static final Pattern KEEPALIVE = Pattern.compile("timer:\\(keepalive,(?:(\\d+)min)?(?:(\\d+)(?:\\.\\d+)?sec)?");

    private Gateway gateway;
    private NodeAgent agent;

    @BeforeEach
    void start() throws Exception {
        GatewayConfig t = GatewayConfig.forTests();
        gateway = Gateway.builder(new GatewayConfig(t.bindAddress(), t.httpProxyPort(), t.socksPort(), t.nodeHubPort(),
                        t.allowLoopbackEgress(), t.blockedDomains(), t.blockedCidrs(), t.authCacheTtl(), t.usageFlushInterval(),
                        TunnelSettings.NODE_HUB_DEFAULTS))
                .proxyAuthenticator((customerId, keyHash, ip) -> CompletableFuture.completedFuture(
                        new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "no customers here")))
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(new NodeAdmission.Admitted(
                        UUID.randomUUID(), UUID.randomUUID(), "DE", null, "berlin", 3320, null, "wifi")))
                .usageSink(records -> { })
                .nodeStore(NodeStore.NONE)
                .build();
        gateway.start();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
        gateway.close();
    }

    @Test
    void theAgentsConnectionHasAKernelKeepaliveOfTwentySeconds() throws Exception {
        agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + gateway.nodeHubPort() + "/ws"),
                "ipn_" + "0123456789abcdef".repeat(3), "keepalive-1", "keepalive-1", "DE", null, "berlin", 0, null, "wifi",
                false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
        agent.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);

        assertThat(keepaliveSeconds("dport")).as("the agent's end: the kernel's default is 2 hours, the agent's 20 s")
                .isLessThanOrEqualTo(20);
    }

    /** The keepalive timer of the node connection's end whose {@code side} ("sport" or "dport") is the hub port, in s. */
    private long keepaliveSeconds(String side) {
        // While a write is unacknowledged the socket shows its retransmit timer instead: look again.
        AtomicReference<String> sockets = new AtomicReference<>("");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            sockets.set(ss(side, ":" + gateway.nodeHubPort()));
            assertThat(sockets.get()).as("a keepalive timer on the node connection (%s)", side).contains("timer:(keepalive,");
        });
        Matcher m = KEEPALIVE.matcher(sockets.get());
        assertThat(m.find()).isTrue();
        return (m.group(1) == null ? 0 : 60L * Long.parseLong(m.group(1))) + (m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
    }

    /** {@code ss -tno state established SIDE = PORT}; skips the test where {@code ss} is missing. */
    private static String ss(String side, String port) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("ss", "-tno", "state", "established", side, "=", port).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("ss (iproute2) is not installed: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
