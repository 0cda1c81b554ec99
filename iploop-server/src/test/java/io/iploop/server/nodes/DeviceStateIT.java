package io.iploop.server.nodes;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The dashboard's state wins over the agent's (docs/product/nodes.md#node-statuses): a name set on
 * the dashboard survives the agent's restart and re-registration; a paused or removed device lists
 * as such, not as {@code available}, and counts in neither the public locations nor the inventory.
 * A real node agent in Iceland (no other test uses it) against the shared platform.
 */
@PlatformTest
class DeviceStateIT {

    private static final String COUNTRY = "IS";
    private static final String CITY = "Reykjavik";

    @Autowired
    DataPlane dataPlane;

    private final String deviceId = "ds-" + UUID.randomUUID().toString().substring(0, 8);
    private @Nullable NodeAgent agent;

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    private NodeAgent startAgent(String nodeKey, String name) {
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + dataPlane.ports().orElseThrow().nodeHub() + "/ws"),
                nodeKey, deviceId, name, COUNTRY, null, CITY, 6677, "Siminn", "wifi", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS));
        a.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        return a;
    }

    private static JsonNode node(String operator, String deviceId) {
        Response r = call("GET", "/api/nodes?search=" + deviceId, operator, null);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        assertThat(r.body().get("nodes")).hasSize(1);
        return r.body().get("nodes").get(0);
    }

    private static long listed(String operator, String status, String deviceId) {
        return call("GET", "/api/nodes?status=" + status + "&search=" + deviceId, operator, null).body().get("total").asLong();
    }

    /** Nodes in Iceland as the public locations, the city's ISPs and a customer's inventory count them. */
    private static int[] publicCounts(String customer) {
        JsonNode country = call("GET", "/api/proxy/locations/" + COUNTRY.toLowerCase(), null, null).body();
        JsonNode inventory = call("GET", "/api/proxy/inventory?country=" + COUNTRY, customer, null).body();
        JsonNode isps = call("GET", "/api/proxy/locations/" + COUNTRY + "/" + CITY.toLowerCase() + "/isps", null, null).body();
        return new int[] {country.get("nodeCount").asInt(), inventory.get("totalNodes").asInt(), isps.get("nodeCount").asInt()};
    }

    @Test
    void theDashboardsNameStatesAndCountsWinOverTheAgent() {
        String operator = token(registerCustomer());
        String nodeKey = call("POST", "/api/nodes/keys", operator, Map.of("name", "state")).body().get("key").asString();
        agent = startAgent(nodeKey, "agent-name");
        await().atMost(Duration.ofSeconds(10)).until(() -> listed(operator, "available", deviceId) == 1);
        String id = node(operator, deviceId).get("id").asString();
        assertThat(node(operator, deviceId).get("deviceName").asString()).isEqualTo("agent-name");
        assertThat(publicCounts(operator)).containsExactly(1, 1, 1);

        // Renamed on the dashboard: the agent's restart (HELLO) and registration keep the new name.
        Response renamed = call("PATCH", "/api/earn/devices/" + id, operator, Map.of("name", "Kitchen box"));
        assertThat(renamed.status()).as(renamed.body().toString()).isEqualTo(200);
        agent.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> listed(operator, "inactive", deviceId) == 1);
        agent = startAgent(nodeKey, "agent-name");
        await().atMost(Duration.ofSeconds(10)).until(() -> listed(operator, "available", deviceId) == 1);
        assertThat(node(operator, deviceId).get("deviceName").asString()).isEqualTo("Kitchen box");
        Response registered = call("POST", "/api/earn/devices/register", null,
                Map.of("deviceId", deviceId, "deviceName", "agent-name", "installMethod", "linux"), Map.of("X-Node-Key", nodeKey));
        assertThat(registered.status()).as(registered.body().toString()).isEqualTo(200);
        assertThat(registered.body().get("name").asString()).isEqualTo("Kitchen box");
        assertThat(node(operator, deviceId).get("deviceName").asString()).isEqualTo("Kitchen box");

        // Paused: still connected, but listed as paused and counted nowhere customers look.
        assertThat(call("POST", "/api/earn/devices/" + id + "/pause", operator, null).status()).isEqualTo(200);
        JsonNode paused = node(operator, deviceId);
        assertThat(paused.get("status").asString()).isEqualTo("paused");
        assertThat(paused.get("online").asBoolean()).isTrue();
        assertThat(listed(operator, "available", deviceId)).isZero();
        assertThat(listed(operator, "paused", deviceId)).isEqualTo(1);
        Response byStatus = call("GET", "/api/v2/nodes?sort=status&search=" + deviceId, operator, null);
        assertThat(byStatus.status()).as(byStatus.body().toString()).isEqualTo(200);
        assertThat(byStatus.body().at("/data/0/status").asString()).isEqualTo("paused");
        assertThat(publicCounts(operator)).containsExactly(0, 0, 0);

        assertThat(call("POST", "/api/earn/devices/" + id + "/resume", operator, null).status()).isEqualTo(200);
        assertThat(node(operator, deviceId).get("status").asString()).isEqualTo("available");
        assertThat(publicCounts(operator)).containsExactly(1, 1, 1);

        // Removed: the agent is still connected, but the device is gone from everything customers see.
        assertThat(call("DELETE", "/api/earn/devices/" + id, operator, null).status()).isEqualTo(204);
        assertThat(node(operator, deviceId).get("status").asString()).isEqualTo("removed");
        assertThat(listed(operator, "available", deviceId)).isZero();
        assertThat(listed(operator, "removed", deviceId)).isEqualTo(1);
        assertThat(publicCounts(operator)).containsExactly(0, 0, 0);
    }
}
