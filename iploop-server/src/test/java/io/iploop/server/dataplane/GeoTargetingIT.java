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
import io.iploop.server.testing.ServerTest;
import io.iploop.server.testing.SharedPlatform;
import io.iploop.server.testing.SourceAddressForwarder;
import io.iploop.server.testing.TestGeoIpDatabase;
import io.iploop.tunnel.TunnelSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code isp-}, {@code zip-} and {@code speed-} targeting end to end with GeoIP
 * (docs/exit-quality.md#targeting): the real server with a City and an ASN database (written by
 * {@link TestGeoIpDatabase} in MaxMind DB format and read by the real MaxMind reader), four real
 * agents that each reach the node hub from their own loopback address ({@link
 * SourceAddressForwarder}) which the databases map to a country, postal code, ASN and ISP, and curl
 * through the proxy. The exit of every request is read from the debug header; an agent's own claim
 * of an ISP loses to the database; the speed of each node is what the gateway measured from real
 * downloads, one node being an agent capped at 1 Mbit/s.
 */
@ServerTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeoTargetingIT {

    private static final Path GEO_DIR;

    static {
        try {
            GEO_DIR = Files.createTempDirectory("iploop-it-geoip-");
            new TestGeoIpDatabase("GeoIP2-City")
                    .put("127.0.0.11", TestGeoIpDatabase.city("US", "Seattle", "98101"))
                    .put("127.0.0.12", TestGeoIpDatabase.city("US", "New York", "10001"))
                    .put("127.0.0.13", TestGeoIpDatabase.city("GB", "London", "SW1A 1AA"))
                    .put("127.0.0.14", TestGeoIpDatabase.city("ES", "Madrid", "28013"))
                    .write(GEO_DIR.resolve("city.mmdb"));
            new TestGeoIpDatabase("GeoLite2-ASN")
                    .put("127.0.0.11", TestGeoIpDatabase.asn(7018, "AT&T Services, Inc."))
                    .put("127.0.0.12", TestGeoIpDatabase.asn(7922, "Comcast Cable Communications, LLC"))
                    .put("127.0.0.13", TestGeoIpDatabase.asn(7018, "AT&T Services, Inc."))
                    .put("127.0.0.14", TestGeoIpDatabase.asn(3352, "Telefónica de España"))
                    .write(GEO_DIR.resolve("asn.mmdb"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void geoIp(DynamicPropertyRegistry r) throws IOException {
        SharedPlatform.embeddedServer(r, Files.createTempDirectory("iploop-it-geo-"));
        r.add("iploop.geoip-db", () -> GEO_DIR.resolve("city.mmdb").toString());
        r.add("iploop.geoip-asn-db", () -> GEO_DIR.resolve("asn.mmdb").toString());
    }

    @Autowired
    DataPlane dataPlane;

    @Autowired
    PlansService plans;

    @Autowired
    JdbcClient jdbc;

    private final List<NodeAgent> agents = new ArrayList<>();
    private final List<String> deviceIds = new ArrayList<>();
    private final List<SourceAddressForwarder> forwarders = new ArrayList<>();
    /** Node id to the agent's device id. */
    private final Map<String, String> devices = new HashMap<>();
    private TestOrigin origin;
    private String customerId;
    private String key;
    private DataPlane.Ports ports;

    @BeforeAll
    void enrol() throws Exception {
        origin = TestOrigin.http();
        ports = dataPlane.ports().orElseThrow();
        JsonNode operator = registerCustomer();
        String nodeKey = call("POST", "/api/nodes/keys", token(operator), Map.of("name", "geo fleet")).body().get("key").asString();
        agent(nodeKey, "127.0.0.11", "us-att", null, null);
        // Claims AT&T; the ASN database says Comcast, and the database wins.
        agent(nodeKey, "127.0.0.12", "us-comcast", "AT&T Services, Inc.", null);
        agent(nodeKey, "127.0.0.13", "gb-att", null, null);
        agent(nodeKey, "127.0.0.14", "es-capped", null, 1);
        for (int i = 0; i < agents.size(); i++) {
            NodeAgent a = agents.get(i);
            await().atMost(Duration.ofSeconds(15)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
            devices.put(a.status().nodeId(), deviceIds.get(i));
        }
        JsonNode customer = registerCustomer();
        plans.subscribe(UUID.fromString(customer.at("/user/id").asString()), "enterprise");
        customerId = customer.at("/user/customerId").asString();
        key = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "geo")).body().get("key").asString();
    }

    @AfterAll
    void stop() throws IOException {
        agents.forEach(NodeAgent::close);
        for (SourceAddressForwarder f : forwarders) {
            f.close();
        }
        origin.close();
    }

    private void agent(String nodeKey, String address, String deviceId, @Nullable String claimedIsp, @Nullable Integer mbps)
            throws IOException {
        SourceAddressForwarder f = new SourceAddressForwarder(address, new InetSocketAddress("127.0.0.1", ports.nodeHub()));
        forwarders.add(f);
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + f.port() + "/ws"), nodeKey, deviceId,
                deviceId, "DE", null, "Berlin", 0, claimedIsp, "ethernet", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS));
        a.limitBandwidth(mbps);
        a.start();
        agents.add(a);
        deviceIds.add(deviceId);
    }

    private Curl.Result get(String params, int bytes) throws Exception {
        return Curl.run("-x", "http://" + customerId + ":" + key + params + "-debug-1@127.0.0.1:" + ports.httpProxy(),
                origin.url("/bytes/" + bytes));
    }

    /** The devices that served {@code n} requests with {@code params}; every request must succeed. */
    private Set<String> exits(String params, int n) throws Exception {
        Set<String> exits = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Curl.Result r = get(params, 100);
            assertThat(r.status()).as("%s: %s", params, r.header("X-IPLoop-Error")).isEqualTo(200);
            exits.add(devices.getOrDefault(r.header("X-IPLoop-Node"), "unknown node " + r.header("X-IPLoop-Node")));
        }
        return exits;
    }

    @Test
    void ispAndZipChooseOnlyTheNodesTheDatabasePlacesThere() throws Exception {
        assertThat(jdbc.sql("SELECT isp FROM nodes WHERE device_id = 'us-comcast'").query(String.class).single())
                .isEqualTo("Comcast Cable Communications, LLC");

        // Rotation avoids the previous exit whenever another matches: both AT&T nodes take turns.
        assertThat(exits("-isp-at_t_services_inc", 6)).containsExactlyInAnyOrder("us-att", "gb-att");
        assertThat(exits("-isp-comcast_cable_communications_llc", 3)).containsExactly("us-comcast");
        assertThat(exits("-isp-telefonica_de_espana", 2)).containsExactly("es-capped");
        assertThat(exits("-zip-98101", 3)).containsExactly("us-att");
        assertThat(exits("-zip-sw1a1aa", 3)).containsExactly("gb-att");
    }

    @Test
    void anIspOrZipNoNodeHasIsNoMatchingExit() throws Exception {
        for (String params : List.of("-isp-no_such_isp", "-zip-00000", "-isp-comcast_cable_communications_llc-zip-98101")) {
            Curl.Result r = get(params, 100);
            assertThat(r.status()).as(params).isEqualTo(503);
            assertThat(r.header("X-IPLoop-Error")).as(params).isEqualTo("no_matching_exit");
        }
    }

    @Test
    void speedTargetingChoosesOnlyNodesMeasuredFastEnough() throws Exception {
        // The capped agent's downloads are measured at about 1 Mbit/s: under speed-medium's 2 Mbit/s.
        for (int i = 0; i < 2; i++) {
            Curl.Result capped = get("-zip-28013", 160 * 1024);
            assertThat(capped.status()).isEqualTo(200);
            assertThat(capped.sizeDownload()).isEqualTo(160 * 1024);
            assertThat(get("-zip-98101", 1024 * 1024).status()).isEqualTo(200);
        }
        assertThat(exits("-speed-fast", 4)).containsExactly("us-att");
        assertThat(exits("-speed-medium", 4)).containsExactly("us-att");
    }
}
