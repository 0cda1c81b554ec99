package io.iploop.server.nodes;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.Browser.assertAccessible;
import static io.iploop.server.testing.Browser.open;
import static io.iploop.server.testing.Browser.signInNewCustomer;
import static io.iploop.server.testing.Browser.textOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.BrowserTest;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A cloned device id (copied disk or volume, docs/protocol.md §4.1): two real agents with the same
 * device id and node key. The established one keeps serving, the copy is refused with the
 * {@code proxyclaw reset-id} advice, and the clash shows in {@code /api/nodes}, {@code
 * /api/earn/devices} and on the operator's devices page. Agents in Malta (no other test uses it).
 */
@PlatformTest
@BrowserTest
class DeviceIdClashIT {

    @Autowired
    DataPlane dataPlane;

    private final List<NodeAgent> agents = new ArrayList<>();

    @AfterEach
    void stopAgents() {
        agents.forEach(NodeAgent::close);
        agents.clear();
    }

    private NodeAgent launch(String nodeKey, String deviceId) {
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + dataPlane.ports().orElseThrow().nodeHub() + "/ws"),
                nodeKey, deviceId, "clash-box", "MT", null, "Valletta", 15735, "Melita", "wifi", false, true, List.of(),
                List.of(), TunnelSettings.DEFAULTS));
        agents.add(a);
        a.start();
        return a;
    }

    @Test
    void theCopyIsRefusedTheOriginalKeepsServingAndTheDevicePageShowsTheClash() {
        JsonNode customer = signInNewCustomer();
        String operator = token(customer);
        String nodeKey = call("POST", "/api/nodes/keys", operator, Map.of("name", "clash")).body().get("key").asString();
        String deviceId = "clash-" + UUID.randomUUID().toString().substring(0, 8);

        NodeAgent original = launch(nodeKey, deviceId);
        await().atMost(Duration.ofSeconds(15)).until(() -> original.status().state() == AgentStatus.State.CONNECTED);
        Instant since = original.status().connectedSince();
        assertThat(nodes(operator, deviceId).get("lastIdClashAt").isNull()).isTrue();

        NodeAgent copy = launch(nodeKey, deviceId);
        await().atMost(Duration.ofSeconds(15)).until(() -> copy.status().state() == AgentStatus.State.DUPLICATE_DEVICE);
        assertThat(copy.status().lastError()).contains("already connected").contains("proxyclaw reset-id");
        // The original is not knocked off: same connection, no reconnect, still listed as available.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() ->
                original.status().state() == AgentStatus.State.CONNECTED && since.equals(original.status().connectedSince()));
        assertThat(original.status().reconnects()).isZero();

        // The store thread records the clash shortly after the refusal.
        await().atMost(Duration.ofSeconds(10)).until(() -> !nodes(operator, deviceId).get("lastIdClashAt").isNull());
        JsonNode node = nodes(operator, deviceId);
        assertThat(node.get("status").asString()).isEqualTo("available");
        assertThat(node.get("online").asBoolean()).isTrue();
        Instant clashAt = Instant.parse(node.get("lastIdClashAt").asString());
        assertThat(clashAt).isAfterOrEqualTo(since.minusSeconds(1)).isBeforeOrEqualTo(Instant.now().plusSeconds(1));

        Response devices = call("GET", "/api/earn/devices", operator, null);
        assertThat(devices.status()).as(devices.body().toString()).isEqualTo(200);
        assertThat(devices.body()).hasSize(1);
        assertThat(devices.body().get(0).get("lastIdClashFrom").asString()).isEqualTo("127.0.0.1");
        assertThat(Instant.parse(devices.body().get(0).get("lastIdClashAt").asString())).isEqualTo(clashAt);

        open("/earn/devices");
        assertThat(textOf("device-id-clash").replaceAll("\\s+", " "))
                .contains("Another agent with this device id tried to connect from 127.0.0.1")
                .contains("proxyclaw reset-id");
        assertAccessible("earn devices with a device id clash");
    }

    private static JsonNode nodes(String operator, String deviceId) {
        Response r = call("GET", "/api/nodes?search=" + deviceId, operator, null);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        assertThat(r.body().get("nodes")).hasSize(1);
        return r.body().get("nodes").get(0);
    }
}
