package io.iploop.server.nodes;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.send;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.NodeStore;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.platform.WebSessionCookie;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Admin moderation and node-key revocation (docs/moderation.md) with real node agents against the
 * shared platform: a ban by ASN disconnects the node within 5 s and refuses its reconnects, a
 * quarantine keeps it connected but out of what the gateway selects, a revoked key disconnects its
 * agent for good; the owner sees the moderation, its reason and expiry in {@code /api/nodes}, in
 * {@code /api/earn/devices} and on the earn devices page. Each test uses
 * its own ASN and owner, so nothing here touches other tests' nodes.
 */
@PlatformTest
class NodeModerationIT {

    @Autowired
    DataPlane dataPlane;

    @Autowired
    NodeStore nodeStore;

    private final List<NodeAgent> agents = new ArrayList<>();

    @AfterEach
    void stopAgents() {
        agents.forEach(NodeAgent::close);
    }

    private NodeAgent startAgent(String nodeKey, String deviceId, int asn) {
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + dataPlane.ports().orElseThrow().nodeHub() + "/ws"),
                nodeKey, deviceId, deviceId, "LU", null, "Luxembourg", asn, "Moderated ISP", "wifi", false, true, List.of(),
                List.of(), TunnelSettings.DEFAULTS));
        agents.add(a);
        a.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        return a;
    }

    private static int freshAsn() {
        return 1_900_000_000 + ThreadLocalRandom.current().nextInt(100_000_000);
    }

    private static JsonNode node(String operator, String deviceId) {
        Response r = call("GET", "/api/nodes?search=" + deviceId, operator, null);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        assertThat(r.body().get("nodes")).hasSize(1);
        return r.body().get("nodes").get(0);
    }

    /** The device as {@code GET /api/earn/devices} shows it to its owner. */
    private static JsonNode earnDevice(String operator, String deviceId) {
        Response r = call("GET", "/api/earn/devices", operator, null);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        for (JsonNode d : r.body()) {
            if (deviceId.equals(d.get("deviceId").asString())) {
                return d;
            }
        }
        throw new AssertionError("no device " + deviceId + " in " + r.body());
    }

    /** The text of the device's moderation banner on the owner's earn devices page, or null when it has none. */
    private static @Nullable String moderationBanner(String operator, String deviceId) {
        HttpResponse<String> page = send("GET", "/earn/devices", null, null,
                Map.of("Cookie", WebSessionCookie.NAME + "=" + operator));
        assertThat(page.statusCode()).isEqualTo(200);
        Matcher banner = Pattern.compile("data-test=\"device-moderation\"[^>]*data-device=\"" + Pattern.quote(deviceId)
                + "\"[^>]*>(.*?)</div></div>", Pattern.DOTALL).matcher(page.body());
        return banner.find() ? banner.group(1).replaceAll("<[^>]+>", " ").replaceAll("\\s+", " ").strip() : null;
    }

    private static Response moderate(String admin, String action, String scope, String target, String reason) {
        Map<String, Object> body = new HashMap<>();
        body.put("action", action);
        body.put("scope", scope);
        body.put("target", target);
        body.put("reason", reason);
        return call("POST", "/api/admin/nodes/bans", admin, body);
    }

    @Test
    void badRequestsAreRefusedNamingTheFieldAndOnlyAdminsModerate() {
        String admin = adminToken();
        Object[][] bad = {
                {"mute", "node", UUID.randomUUID().toString(), "r", "action"},
                {"ban", "planet", "x", "r", "scope"},
                {"ban", "node", "not-a-uuid", "r", "target"},
                {"ban", "node", UUID.randomUUID().toString(), "r", "target"},
                {"ban", "owner", UUID.randomUUID().toString(), "r", "target"},
                {"ban", "cidr", "300.1.2.3/8", "r", "target"},
                {"ban", "cidr", "10.0.0.0/33", "r", "target"},
                {"ban", "asn", "AS0", "r", "target"},
                {"ban", "asn", "4294967296", "r", "target"},
                {"ban", "asn", "64500", " ", "reason"},
                {"ban", "asn", "64500", "x".repeat(501), "reason"},
        };
        for (Object[] b : bad) {
            Response r = moderate(admin, (String) b[0], (String) b[1], (String) b[2], (String) b[3]);
            assertThat(r.status()).as(List.of(b) + ": " + r.body()).isEqualTo(400);
            assertThat(r.body().at("/error/code").asString()).isEqualTo("invalid_moderation");
            assertThat(r.body().at("/error/field").asString()).as(List.of(b).toString()).isEqualTo(b[4]);
        }
        Map<String, Object> past = new HashMap<>(Map.of("action", "ban", "scope", "asn", "target", "64500", "reason", "r",
                "expiresAt", Instant.now().minusSeconds(60).toString()));
        assertThat(call("POST", "/api/admin/nodes/bans", admin, past).body().at("/error/field").asString())
                .isEqualTo("expiresAt");
        assertThat(call("GET", "/api/admin/nodes/bans?active=true", admin, null).body().get("moderations").toString())
                .doesNotContain("64500");

        // A range is stored as its network; a customer cannot moderate; an unknown id is 404.
        Response range = moderate(admin, "quarantine", "cidr", "198.51.100.77/24", "range test");
        assertThat(range.status()).as(range.body().toString()).isEqualTo(201);
        assertThat(range.body().get("cidr").asString()).isEqualTo("198.51.100.0/24");
        assertThat(call("DELETE", "/api/admin/nodes/bans/" + range.body().get("id").asString(), admin, null)
                .body().get("active").asBoolean()).isFalse();
        String customer = token(registerCustomer());
        assertThat(moderate(customer, "ban", "asn", "64500", "r").status()).isEqualTo(403);
        assertThat(call("DELETE", "/api/admin/nodes/bans/" + UUID.randomUUID(), admin, null).status()).isEqualTo(404);
    }

    @Test
    void aBannedAsnsNodeIsDisconnectedWithinFiveSecondsRefusedAndTheOwnerSeesWhy() {
        String admin = adminToken();
        String operator = token(registerCustomer());
        String nodeKey = call("POST", "/api/nodes/keys", operator, Map.of("name", "ban")).body().get("key").asString();
        String deviceId = "ban-" + UUID.randomUUID().toString().substring(0, 8);
        int asn = freshAsn();
        NodeAgent agent = startAgent(nodeKey, deviceId, asn);
        await().atMost(Duration.ofSeconds(10)).until(() -> node(operator, deviceId).get("online").asBoolean());
        String nodeId = node(operator, deviceId).get("id").asString();
        assertThat(node(operator, deviceId).get("moderation").isNull()).isTrue();

        Response ban = moderate(admin, "ban", "asn", "AS" + asn, "abuse reports from this network");
        assertThat(ban.status()).as(ban.body().toString()).isEqualTo(201);
        assertThat(ban.body().get("asn").asInt()).isEqualTo(asn);
        long banned = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.status().state() != AgentStatus.State.CONNECTED);
        assertThat(Duration.ofNanos(System.nanoTime() - banned)).isLessThan(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> !node(operator, deviceId).get("online").asBoolean());
        JsonNode seen = node(operator, deviceId);
        assertThat(seen.get("moderation").asString()).isEqualTo("ban");
        assertThat(seen.get("moderationReason").asString()).isEqualTo("abuse reports from this network");
        assertThat(seen.get("moderationExpiresAt").isNull()).isTrue();
        // The earn API and the earn devices page say it too (docs/moderation.md#what-the-owner-sees).
        JsonNode device = earnDevice(operator, deviceId);
        assertThat(device.get("status").asString()).isEqualTo("offline");
        assertThat(device.get("moderation").asString()).isEqualTo("ban");
        assertThat(device.get("moderationReason").asString()).isEqualTo("abuse reports from this network");
        assertThat(device.get("moderationExpiresAt").isNull()).isTrue();
        assertThat(moderationBanner(operator, deviceId)).contains("banned; the gateway refuses its agent.",
                "abuse reports from this network", "Until an admin lifts it.");

        // Its reconnects are refused, naming the ban.
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.status().lastError() != null
                && agent.status().lastError().contains("banned"));
        assertThat(agent.status().state()).isNotEqualTo(AgentStatus.State.CONNECTED);
        assertThat(nodeStore.pausedNodeIds()).doesNotContain(UUID.fromString(nodeId));

        JsonNode active = call("GET", "/api/admin/nodes/bans?active=true", admin, null).body().get("moderations");
        assertThat(active.toString()).contains(ban.body().get("id").asString());
        JsonNode audit = call("GET", "/api/audit-logs?limit=200&action=node_moderated", admin, null).body();
        assertThat(audit.get("items").toString()).contains(ban.body().get("id").asString());

        Response lifted = call("DELETE", "/api/admin/nodes/bans/" + ban.body().get("id").asString(), admin, null);
        assertThat(lifted.status()).as(lifted.body().toString()).isEqualTo(200);
        assertThat(lifted.body().get("active").asBoolean()).isFalse();
        assertThat(node(operator, deviceId).get("moderation").isNull()).isTrue();
        assertThat(earnDevice(operator, deviceId).get("moderation").isNull()).isTrue();
        assertThat(moderationBanner(operator, deviceId)).isNull();
        assertThat(call("GET", "/api/admin/nodes/bans?active=true", admin, null).body().get("moderations").toString())
                .doesNotContain(ban.body().get("id").asString());
    }

    @Test
    void aQuarantinedOwnersNodesStayConnectedButAreNeverSelected() {
        String admin = adminToken();
        JsonNode owner = registerCustomer();
        String operator = token(owner);
        String nodeKey = call("POST", "/api/nodes/keys", operator, Map.of("name", "q")).body().get("key").asString();
        String deviceId = "quar-" + UUID.randomUUID().toString().substring(0, 8);
        NodeAgent agent = startAgent(nodeKey, deviceId, freshAsn());
        await().atMost(Duration.ofSeconds(10)).until(() -> node(operator, deviceId).get("online").asBoolean());
        UUID nodeId = UUID.fromString(node(operator, deviceId).get("id").asString());
        assertThat(nodeStore.pausedNodeIds()).doesNotContain(nodeId);

        Instant until = Instant.now().plus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Response q = call("POST", "/api/admin/nodes/bans", admin, Map.of("action", "quarantine", "scope", "owner",
                "target", owner.at("/user/id").asString(), "reason", "fraud review", "expiresAt", until.toString()));
        assertThat(q.status()).as(q.body().toString()).isEqualTo(201);
        // What the gateway re-reads every second: never selected, not evicted.
        assertThat(nodeStore.pausedNodeIds()).contains(nodeId);
        assertThat(nodeStore.evictedNodeIds()).doesNotContain(nodeId);
        assertThat(node(operator, deviceId).get("moderation").asString()).isEqualTo("quarantine");
        assertThat(node(operator, deviceId).get("moderationReason").asString()).isEqualTo("fraud review");
        assertThat(Instant.parse(node(operator, deviceId).get("moderationExpiresAt").asString())).isEqualTo(until);
        JsonNode device = earnDevice(operator, deviceId);
        assertThat(device.get("status").asString()).isEqualTo("online");
        assertThat(device.get("moderation").asString()).isEqualTo("quarantine");
        assertThat(device.get("moderationReason").asString()).isEqualTo("fraud review");
        assertThat(Instant.parse(device.get("moderationExpiresAt").asString())).isEqualTo(until);
        assertThat(moderationBanner(operator, deviceId)).contains("quarantined; it stays connected but carries no traffic.",
                "fraud review", "Until").doesNotContain("Until an admin lifts it.");
        // Still connected two refreshes later.
        await().pollDelay(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(agent.status().state()).isEqualTo(AgentStatus.State.CONNECTED);

        call("DELETE", "/api/admin/nodes/bans/" + q.body().get("id").asString(), admin, null);
        assertThat(nodeStore.pausedNodeIds()).doesNotContain(nodeId);
    }

    @Test
    void aRevokedNodeKeyDisconnectsItsAgentForGood() {
        String operator = token(registerCustomer());
        JsonNode issued = call("POST", "/api/nodes/keys", operator, Map.of("name", "leaked")).body();
        String deviceId = "rev-" + UUID.randomUUID().toString().substring(0, 8);
        NodeAgent agent = startAgent(issued.get("key").asString(), deviceId, freshAsn());
        await().atMost(Duration.ofSeconds(10)).until(() -> node(operator, deviceId).get("online").asBoolean());

        Response revoked = call("DELETE", "/api/nodes/keys/" + issued.get("id").asString(), operator, null);
        assertThat(revoked.status()).as(revoked.body().toString()).isEqualTo(200);
        assertThat(revoked.body().get("revokedAt").isNull()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.status().state() != AgentStatus.State.CONNECTED);
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.status().lastError() != null
                && agent.status().lastError().contains("revoked"));
        assertThat(agent.status().state()).isNotEqualTo(AgentStatus.State.CONNECTED);
        JsonNode keys = call("GET", "/api/nodes/keys", operator, null).body().get("keys");
        assertThat(keys.get(0).get("revokedAt").isNull()).isFalse();
        JsonNode audit = call("GET", "/api/audit-logs?limit=200&action=node_key_revoked", operator, null).body();
        assertThat(audit.get("items").toString()).contains(issued.get("id").asString());
        // Revoking again keeps the first time; another account's key is 404.
        assertThat(call("DELETE", "/api/nodes/keys/" + issued.get("id").asString(), operator, null).body()
                .get("revokedAt").asString()).isEqualTo(revoked.body().get("revokedAt").asString());
        String other = token(registerCustomer());
        assertThat(call("DELETE", "/api/nodes/keys/" + issued.get("id").asString(), other, null).status()).isEqualTo(404);
    }
}
