package io.iploop.server.egress;

import static io.iploop.server.testing.Api.adminToken;
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
import io.iploop.server.testing.Api;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The admin destination blocklist end to end: an admin with 2FA blocks a host through the REST API,
 * curl through the real gateway and a real node agent gets 403 {@code target_forbidden} within the
 * gateway's refresh period, and once the entry is deleted the same request reaches the origin again.
 * The entry names {@code localhost} with the origin's own port, so other tests sharing the platform
 * are not affected.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class EgressBlocklistIT {

    @Autowired
    DataPlane dataPlane;

    @Autowired
    PlansService plans;

    @Autowired
    JdbcClient jdbc;

    private TestOrigin origin;
    private NodeAgent agent;
    private String proxy;

    @BeforeAll
    void enrollNodeAndCustomer() throws Exception {
        origin = TestOrigin.http();
        DataPlane.Ports ports = dataPlane.ports().orElseThrow();
        JsonNode operator = registerCustomer();
        String nodeKey = call("POST", "/api/nodes/keys", token(operator), Map.of("name", "blocklist")).body().get("key").asString();
        agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey,
                "blocklist-node", "blocklist-node", "NL", null, "Amsterdam", 0, null, "ethernet", false, true, List.of(),
                List.of(), TunnelSettings.DEFAULTS));
        agent.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);

        JsonNode customer = registerCustomer();
        plans.subscribe(UUID.fromString(customer.at("/user/id").asString()), "enterprise");
        String key = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "blocklist")).body().get("key").asString();
        proxy = "http://" + customer.at("/user/customerId").asString() + ":" + key + "-country-nl@127.0.0.1:" + ports.httpProxy();
    }

    @AfterAll
    void stop() {
        agent.close();
        origin.close();
    }

    private Curl.Result get() throws Exception {
        return Curl.run("-x", proxy, "http://localhost:" + origin.port() + "/bytes/100");
    }

    @Test
    void anAdminBlocksAHostAndTheGatewayRefusesItUntilTheEntryIsDeleted() throws Exception {
        assertThat(get().status()).isEqualTo(200);
        String admin = adminToken();

        Map<String, Object> entry = new HashMap<>();
        entry.put("host", "LocalHost.");
        entry.put("port", origin.port());
        entry.put("reason", "blocklist test");
        Api.Response added = call("POST", "/api/admin/egress/blocklist", admin, entry);
        assertThat(added.status()).as(added.body().toString()).isEqualTo(201);
        assertThat(added.body().get("host").asString()).isEqualTo("localhost");
        String id = added.body().get("id").asString();
        assertThat(call("GET", "/api/admin/egress/blocklist", admin, null).body().get("entries").toString()).contains(id);
        assertThat(jdbc.sql("SELECT count(*) FROM audit_logs WHERE action = 'egress_blocklist_entry_added' AND resource_id = ?")
                .param(id).query(Long.class).single()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(10)).until(() -> get().status() == 403);
        Curl.Result refused = get();
        assertThat(refused.header("X-IPLoop-Error")).isEqualTo("target_forbidden");
        assertThat(refused.header("Proxy-Status")).contains("error=destination_ip_prohibited");

        assertThat(call("DELETE", "/api/admin/egress/blocklist/" + id, admin, null).status()).isEqualTo(204);
        assertThat(call("DELETE", "/api/admin/egress/blocklist/" + id, admin, null).status()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(10)).until(() -> get().status() == 200);
    }

    @Test
    void invalidEntriesAreRefusedNamingTheFieldAndCustomersCannotManageTheList() {
        String admin = adminToken();
        Api.Response badCidr = call("POST", "/api/admin/egress/blocklist", admin, Map.of("cidr", "10.0.0.0/33", "reason", "x"));
        assertThat(badCidr.status()).isEqualTo(400);
        assertThat(badCidr.body().toString()).contains("cidr");
        Api.Response both = call("POST", "/api/admin/egress/blocklist", admin,
                Map.of("host", "a.test", "cidr", "10.0.0.0/8", "reason", "x"));
        assertThat(both.status()).isEqualTo(400);
        Api.Response badHost = call("POST", "/api/admin/egress/blocklist", admin, Map.of("host", "a b.test", "reason", "x"));
        assertThat(badHost.status()).isEqualTo(400);
        assertThat(badHost.body().toString()).contains("host");

        String customer = token(registerCustomer());
        assertThat(call("GET", "/api/admin/egress/blocklist", customer, null).status()).isEqualTo(403);
    }
}
