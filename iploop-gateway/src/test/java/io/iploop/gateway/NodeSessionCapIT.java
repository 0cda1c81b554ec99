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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node session cap (docs/scale.md#node-session-cap): a gateway capped at two node sessions
 * answers the third real agent with close code 4503 "gateway full, try elsewhere"; that agent
 * backs off (at least 5 s, not a tight loop) and is connected once a slot is free.
 */
class NodeSessionCapIT {

    private static final UUID OWNER = UUID.randomUUID();

    private final Map<String, UUID> nodeIds = new ConcurrentHashMap<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<NodeAgent> agents = new ArrayList<>();
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator((customerId, keyHash, ip) -> CompletableFuture.completedFuture(
                        new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "no customers here")))
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(new NodeAdmission.Admitted(
                        nodeIds.computeIfAbsent(hello.deviceId(), d -> UUID.randomUUID()), OWNER, "DE", null, "berlin", 3320,
                        null, "wifi")))
                .usageSink(records -> { })
                .nodeStore(NodeStore.NONE)
                .meterRegistry(meters)
                .maxNodeSessions(2)
                .build();
        gateway.start();
    }

    @AfterEach
    void stop() {
        agents.forEach(NodeAgent::close);
        gateway.close();
    }

    private NodeAgent agent(String deviceId) {
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + gateway.nodeHubPort() + "/ws"),
                "ipn_" + "0123456789abcdef".repeat(3), deviceId, deviceId, "DE", null, "berlin", 0, null, "wifi", false, true,
                List.of(), List.of(), TunnelSettings.DEFAULTS));
        agents.add(a);
        a.start();
        return a;
    }

    private double refusedFull() {
        return meters.get("iploop.nodes.refused").tag("reason", "full").counter().count();
    }

    @Test
    void theAgentBeyondTheCapIsToldToTryElsewhereBacksOffAndJoinsOnceASlotIsFree() {
        NodeAgent first = agent("cap-1");
        NodeAgent second = agent("cap-2");
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.nodes().connectedNodes().size() == 2);

        NodeAgent third = agent("cap-3");
        await().atMost(Duration.ofSeconds(10)).until(() -> refusedFull() >= 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> third.status().state() == AgentStatus.State.BACKING_OFF);
        assertThat(third.status().lastError()).contains("gateway full").contains("try elsewhere");
        assertThat(gateway.nodes().connectedNodes()).hasSize(2);

        // It backs off (at least 5 s) instead of knocking again at once: one refusal in the next 3 s.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> refusedFull() == 1);
        assertThat(third.status().state()).isEqualTo(AgentStatus.State.BACKING_OFF);

        first.close();
        await().atMost(Duration.ofSeconds(30)).until(() -> third.status().state() == AgentStatus.State.CONNECTED);
        assertThat(gateway.nodes().connectedNodes()).extracting(n -> n.deviceId()).containsExactlyInAnyOrder("cap-2", "cap-3");
        assertThat(second.status().state()).isEqualTo(AgentStatus.State.CONNECTED);
    }
}
