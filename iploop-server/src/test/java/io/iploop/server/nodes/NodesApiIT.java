package io.iploop.server.nodes;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.NodeStore;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The nodes API over three real node agents of one operator (two in Boise, US, on different ISPs
 * and connection types; one in Berlin): filters, pagination, statistics, scoping to the owner, and
 * the live location, ISP and inventory views.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class NodesApiIT {

    @Autowired
    DataPlane dataPlane;

    @Autowired
    NodeStore nodeStore;

    private final List<NodeAgent> agents = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private String operator;

    @BeforeAll
    void enroll() {
        operator = token(registerCustomer());
        String nodeKey = call("POST", "/api/nodes/keys", operator, Map.of("name", "filters")).body().get("key").asString();
        int hub = dataPlane.ports().orElseThrow().nodeHub();
        agents.add(agent(hub, nodeKey, "us-wifi", "US", 7922, "Comcast", "wifi"));
        agents.add(agent(hub, nodeKey, "us-cell", "US", 7018, "AT&T", "cellular"));
        agents.add(agent(hub, nodeKey, "de-eth", "DE", 3320, "Deutsche Telekom", "ethernet"));
        for (NodeAgent a : agents) {
            await().atMost(Duration.ofSeconds(15)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> list("?status=available").get("total").asLong() == 3);
    }

    private NodeAgent agent(int hub, String nodeKey, String name, String country, int asn, String isp, String type) {
        String city = "US".equals(country) ? "Boise" : "Berlin";
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + hub + "/ws"), nodeKey, deviceId(name),
                name, country, null, city, asn, isp, type, false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
        a.start();
        return a;
    }

    private String deviceId(String name) {
        return "nf-" + run + "-" + name;
    }

    @AfterAll
    void stop() {
        agents.forEach(NodeAgent::close);
    }

    private JsonNode list(String query) {
        Response r = call("GET", "/api/nodes" + query, operator, null);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }

    private static List<String> deviceIds(JsonNode listing) {
        List<String> ids = new ArrayList<>();
        listing.get("nodes").forEach(n -> ids.add(n.get("deviceId").asString()));
        return ids;
    }

    @Test
    void filtersReturnWhatTheyShould() {
        assertThat(deviceIds(list(""))).containsExactlyInAnyOrder(deviceId("us-wifi"), deviceId("us-cell"), deviceId("de-eth"));
        assertThat(deviceIds(list("?country=us"))).containsExactlyInAnyOrder(deviceId("us-wifi"), deviceId("us-cell"));
        assertThat(deviceIds(list("?connectionType=cellular"))).containsExactly(deviceId("us-cell"));
        assertThat(deviceIds(list("?country=US&connectionType=ethernet"))).isEmpty();
        assertThat(list("?status=offline").get("total").asLong()).isZero();
        assertThat(deviceIds(list("?search=" + run + "-DE"))).containsExactly(deviceId("de-eth"));
        assertThat(list("?search=127.0.0").get("total").asLong()).isEqualTo(3);
        assertThat(list("?search=%25").get("total").asLong()).isZero();
    }

    @Test
    void pagesCoverEveryNodeOnce() {
        JsonNode first = list("?limit=2");
        JsonNode second = list("?limit=2&page=2");
        assertThat(first.get("nodeCount").asInt()).isEqualTo(2);
        assertThat(second.get("nodeCount").asInt()).isEqualTo(1);
        assertThat(second.get("total").asLong()).isEqualTo(3);
        List<String> all = new ArrayList<>(deviceIds(first));
        all.addAll(deviceIds(second));
        assertThat(all).doesNotHaveDuplicates().hasSize(3);
    }

    @Test
    void badFiltersNameTheirField() {
        for (String[] bad : new String[][] {{"country=usa", "country"}, {"status=sleeping", "status"},
                {"connectionType=5g", "connectionType"}, {"limit=0", "limit"}, {"page=0", "page"}}) {
            Response r = call("GET", "/api/nodes?" + bad[0], operator, null);
            assertThat(r.status()).as(bad[0]).isEqualTo(400);
            assertThat(r.body().at("/error/field").asString()).isEqualTo(bad[1]);
        }
    }

    @Test
    void statsAndScope() {
        JsonNode stats = call("GET", "/api/nodes/stats", operator, null).body();
        assertThat(stats.get("totalNodes").asInt()).isEqualTo(3);
        assertThat(stats.get("onlineNodes").asInt()).isEqualTo(3);
        assertThat(stats.at("/byCountry/US").asInt()).isEqualTo(2);
        assertThat(stats.at("/byCountry/DE").asInt()).isEqualTo(1);
        assertThat(stats.at("/byConnectionType/wifi").asInt()).isEqualTo(1);
        assertThat(stats.at("/byConnectionType/cellular").asInt()).isEqualTo(1);
        int devices = 0;
        for (JsonNode count : stats.get("byDeviceType")) {
            devices += count.asInt();
        }
        assertThat(devices).isEqualTo(3);

        String stranger = token(registerCustomer());
        assertThat(call("GET", "/api/nodes", stranger, null).body().get("total").asLong()).isZero();
        assertThat(call("GET", "/api/nodes?search=" + run, stranger, null).body().get("nodes")).isEmpty();
    }

    @Test
    void liveLocationsIspsAndInventory() {
        JsonNode countries = call("GET", "/api/nodes/countries", operator, null).body().get("countries");
        assertThat(find(countries, "code", "US").get("nodeCount").asInt()).isGreaterThanOrEqualTo(2);

        JsonNode boise = call("GET", "/api/proxy/locations/us", null, null).body();
        assertThat(find(boise.get("cities"), "name", "Boise").get("nodeCount").asInt()).isEqualTo(2);

        JsonNode isps = call("GET", "/api/proxy/locations/US/boise/isps", null, null).body();
        assertThat(isps.get("nodeCount").asInt()).isEqualTo(2);
        assertThat(find(isps.get("isps"), "name", "Comcast").get("asn").asInt()).isEqualTo(7922);
        assertThat(find(isps.get("isps"), "name", "AT&T").get("nodeCount").asInt()).isEqualTo(1);
        assertThat(call("GET", "/api/proxy/locations/usa/boise/isps", null, null).status()).isEqualTo(400);

        JsonNode inventory = call("GET", "/api/proxy/inventory?country=us", operator, null).body();
        assertThat(inventory.get("totalNodes").asInt()).isGreaterThanOrEqualTo(2);
        JsonNode cellular = find(inventory.get("entries"), "isp", "AT&T");
        assertThat(cellular.get("city").asString()).isEqualTo("Boise");
        assertThat(cellular.get("connectionType").asString()).isEqualTo("cellular");
        assertThat(cellular.get("nodes").asInt()).isEqualTo(1);
        inventory.get("entries").forEach(e -> assertThat(e.get("country").asString()).isEqualTo("US"));
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        @Nullable JsonNode found = null;
        for (JsonNode n : array) {
            if (value.equals(n.path(field).asString(""))) {
                found = n;
            }
        }
        assertThat(found).as(field + "=" + value + " in " + array).isNotNull();
        return Objects.requireNonNull(found);
    }

    @Test
    void theGatewaysMeasuredQualityIsTheNodesQualityScore() {
        JsonNode node = list("?search=" + deviceId("de-eth")).get("nodes").get(0);
        UUID id = UUID.fromString(node.get("id").asString());
        assertThat(node.get("successShare").isNull()).as("not measured yet").isTrue();
        // What the gateway's hub reports with the counters (docs/exit-quality.md#where-it-shows): the
        // score and the averages it rests on (no throughput sample yet).
        nodeStore.addCounters(List.of(new NodeStore.NodeCounters(id, 0, 0, 0, Instant.now(), 42,
                new NodeStore.QualityFigures(0.5, 850.0, null))));
        JsonNode measured = list("?search=" + deviceId("de-eth")).get("nodes").get(0);
        assertThat(measured.get("qualityScore").asInt()).isEqualTo(42);
        assertThat(measured.get("successShare").asDouble()).isEqualTo(0.5);
        assertThat(measured.get("ttfbMillis").asDouble()).isEqualTo(850.0);
        assertThat(measured.get("throughputMbps").isNull()).isTrue();
        nodeStore.addCounters(List.of(new NodeStore.NodeCounters(id, 0, 0, 0, Instant.now(), 45,
                new NodeStore.QualityFigures(0.55, 800.0, 3.5))));
        assertThat(list("?search=" + deviceId("de-eth")).get("nodes").get(0).get("throughputMbps").asDouble()).isEqualTo(3.5);
        // Not measured (null) keeps the stored score and averages.
        nodeStore.addCounters(List.of(new NodeStore.NodeCounters(id, 10, 1, 1, Instant.now(), null)));
        JsonNode after = list("?search=" + deviceId("de-eth")).get("nodes").get(0);
        assertThat(after.get("qualityScore").asInt()).isEqualTo(45);
        assertThat(after.get("successShare").asDouble()).isEqualTo(0.55);
        assertThat(after.get("ttfbMillis").asDouble()).isEqualTo(800.0);
        assertThat(after.get("throughputMbps").asDouble()).isEqualTo(3.5);
        assertThat(after.get("bandwidthBytes").asLong()).isGreaterThanOrEqualTo(10);
    }
}
