package io.iploop.server.autoban;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.NodeStore.NodeCounters;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.server.earn.EarnService;
import io.iploop.server.nodes.NodeModeration;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Auto-ban rules (docs/moderation.md#auto-ban-rules) against the shared platform. Time is the
 * evaluation's argument, so an hour of poor quality takes no hour; the quality figures arrive through
 * the gateway's own {@link NodeStore} SPI (what the embedded gateway calls every 2 s), usage through
 * its {@link UsageSink}, earnings flags through the real credit job. Each test enables only its own
 * rule and restores the defaults afterwards; devices are fresh per test.
 */
@PlatformTest
class AutoBanIT {

    @Autowired
    AutoBanService autoBan;

    @Autowired
    NodeStore nodeStore;

    @Autowired
    UsageSink usageSink;

    @Autowired
    EarnService earn;

    @Autowired
    JdbcClient jdbc;

    private final List<UUID> connected = new ArrayList<>();

    @AfterEach
    void restore() {
        connected.forEach(id -> nodeStore.disconnected(id, Instant.now()));
        Map<String, Object> defaults = new HashMap<>();
        for (var c : AutoBanRules.class.getRecordComponents()) {
            try {
                defaults.put(c.getName(), c.getAccessor().invoke(AutoBanRules.DEFAULTS));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        assertThat(call("PUT", "/api/admin/nodes/auto-ban-rules", adminToken(), defaults).status()).isEqualTo(200);
    }

    private static UUID device(String nodeKey, String prefix) {
        String deviceId = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Response r = call("POST", "/api/earn/devices/register", null,
                Map.of("deviceId", deviceId, "deviceName", deviceId, "installMethod", "linux"), Map.of("X-Node-Key", nodeKey));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return UUID.fromString(r.body().get("id").asString());
    }

    private static String nodeKey(String operatorToken) {
        return call("POST", "/api/nodes/keys", operatorToken, Map.of("name", "autoban")).body().get("key").asString();
    }

    /** What the gateway reports: {@code streams} more streams and the score it measured. */
    private void report(UUID node, long streams, int quality) {
        nodeStore.addCounters(List.of(new NodeCounters(node, streams * 1000, streams, streams / 2, Instant.now(), quality)));
    }

    private static List<NodeModeration> mine(AutoBanRun run, UUID... nodes) {
        List<UUID> ids = List.of(nodes);
        return run.moderations().stream().filter(m -> ids.contains(m.nodeId())).toList();
    }

    private static List<JsonNode> activeModerationsOf(String admin, UUID node) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode m : call("GET", "/api/admin/nodes/bans?active=true", admin, null).body().get("moderations")) {
            if (node.toString().equals(m.path("nodeId").asString(""))) {
                out.add(m);
            }
        }
        return out;
    }

    private static void rules(String admin, Map<String, Object> settings) {
        Response r = call("PUT", "/api/admin/nodes/auto-ban-rules", admin, settings);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    }

    @Test
    void theRulesAreReadAndChangedByAdminsOnlyAndBadSettingsAreRefusedNamingTheField() {
        String admin = adminToken();
        JsonNode before = call("GET", "/api/admin/nodes/auto-ban-rules", admin, null).body();
        assertThat(before.get("qualityBelow").asInt()).isEqualTo(20);
        assertThat(before.get("qualityForMinutes").asInt()).isEqualTo(60);
        assertThat(before.get("qualityExpiryHours").asInt()).isEqualTo(24);
        Object[][] bad = {{"qualityBelow", 0}, {"qualityBelow", 101}, {"qualityForMinutes", 0}, {"qualityMinStreams", 0},
                {"qualityExpiryHours", 0}, {"abuseReports", 0}, {"abuseWindowHours", 721}, {"abuseExpiryHours", -1},
                {"fraudExpiryHours", 8761}};
        for (Object[] b : bad) {
            // A valid change next to the bad one: nothing may be stored.
            String valid = b[0].equals("qualityBelow") ? "abuseReports" : "qualityBelow";
            Response r = call("PUT", "/api/admin/nodes/auto-ban-rules", admin, Map.of(valid, 9, (String) b[0], b[1]));
            assertThat(r.status()).as(List.of(b) + ": " + r.body()).isEqualTo(400);
            assertThat(r.body().at("/error/code").asString()).isEqualTo("invalid_auto_ban_rules");
            assertThat(r.body().at("/error/field").asString()).isEqualTo(b[0]);
        }
        assertThat(call("GET", "/api/admin/nodes/auto-ban-rules", admin, null).body()).isEqualTo(before);

        String customer = token(registerCustomer());
        assertThat(call("GET", "/api/admin/nodes/auto-ban-rules", customer, null).status()).isEqualTo(403);
        assertThat(call("PUT", "/api/admin/nodes/auto-ban-rules", customer, Map.of("qualityBelow", 90)).status())
                .isEqualTo(403);

        Response changed = call("PUT", "/api/admin/nodes/auto-ban-rules", admin, Map.of("qualityBelow", 35, "fraudEnabled", false));
        assertThat(changed.status()).as(changed.body().toString()).isEqualTo(200);
        assertThat(changed.body().get("qualityBelow").asInt()).isEqualTo(35);
        assertThat(changed.body().get("fraudEnabled").asBoolean()).isFalse();
        assertThat(changed.body().get("abuseReports").asInt()).as("absent: kept").isEqualTo(before.get("abuseReports").asInt());
        assertThat(call("GET", "/api/admin/nodes/auto-ban-rules", admin, null).body()).isEqualTo(changed.body());
        JsonNode audit = call("GET", "/api/audit-logs?limit=5&action=auto_ban_rules_changed", admin, null).body();
        assertThat(audit.get("items").get(0).toString()).contains("\"qualityBelow\":\"35\"");

        // The job is registered and runs under its lock like every job.
        Response run = call("POST", "/api/admin/jobs/auto-ban/run", admin, null);
        assertThat(run.status()).as(run.body().toString()).isEqualTo(200);
        assertThat(run.body().toString()).contains("quarantined");
    }

    @Test
    void aNodePoorForAnHourOverEnoughStreamsIsQuarantinedOnceAndOnlyIt() {
        String admin = adminToken();
        rules(admin, Map.of("qualityEnabled", true, "qualityBelow", 20, "qualityForMinutes", 60, "qualityMinStreams", 20,
                "qualityExpiryHours", 24, "abuseEnabled", false, "fraudEnabled", false));
        String operator = token(registerCustomer());
        String key = nodeKey(operator);
        UUID poor = device(key, "ab-poor");
        UUID unmeasured = device(key, "ab-few");
        UUID recovered = device(key, "ab-recovered");
        for (UUID n : List.of(poor, unmeasured, recovered)) {
            nodeStore.connected(n, "203.0.113." + ThreadLocalRandom.current().nextInt(1, 250), Instant.now());
            connected.add(n);
        }
        Instant t0 = Instant.now();
        report(poor, 5, 12);
        report(unmeasured, 1, 5);
        report(recovered, 5, 15);
        assertThat(mine(autoBan.evaluate(t0), poor, unmeasured, recovered)).isEmpty();

        report(poor, 15, 14);
        report(unmeasured, 1, 5);
        report(recovered, 20, 55); // back above the threshold: its timer restarts
        assertThat(mine(autoBan.evaluate(t0.plus(Duration.ofMinutes(30))), poor, unmeasured, recovered)).isEmpty();
        report(recovered, 10, 11);
        assertThat(mine(autoBan.evaluate(t0.plus(Duration.ofMinutes(45))), poor, unmeasured, recovered)).isEmpty();
        assertThat(mine(autoBan.evaluate(t0.plus(Duration.ofMinutes(59))), poor, unmeasured, recovered))
                .as("not yet an hour").isEmpty();

        report(poor, 10, 13);
        report(recovered, 30, 9);
        Instant t61 = t0.plus(Duration.ofMinutes(61));
        List<NodeModeration> done = mine(autoBan.evaluate(t61), poor, unmeasured, recovered);
        assertThat(done).hasSize(1);
        NodeModeration q = done.getFirst();
        assertThat(q.nodeId()).isEqualTo(poor);
        assertThat(q.action()).isEqualTo("quarantine");
        assertThat(q.scope()).isEqualTo("node");
        assertThat(q.rule()).isEqualTo(AutoBanService.QUALITY);
        assertThat(q.createdBy()).as("no admin did it").isNull();
        assertThat(q.reason()).contains("auto-ban rule quality", "below 20", "61 min", "now 13", "between 12 and 14",
                "over 25 streams");
        assertThat(q.expiresAt()).isCloseTo(t61.plus(Duration.ofHours(24)), within(1, ChronoUnit.SECONDS));

        // The same path as an admin's quarantine: the gateway's next poll stops selecting it, the owner sees why.
        assertThat(nodeStore.pausedNodeIds()).contains(poor).doesNotContain(unmeasured, recovered);
        JsonNode listed = call("GET", "/api/nodes?search=ab-poor", operator, null).body().at("/nodes/0");
        assertThat(listed.get("moderation").asString()).isEqualTo("quarantine");
        assertThat(listed.get("moderationReason").asString()).isEqualTo(q.reason());
        JsonNode audit = call("GET", "/api/audit-logs?limit=200&action=node_moderated", admin, null).body().get("items");
        JsonNode entry = null;
        for (JsonNode e : audit) {
            if (q.id().toString().equals(e.path("resourceId").asString(""))) {
                entry = e;
            }
        }
        assertThat(entry).as(audit.toString()).isNotNull();
        assertThat(entry.get("userId").isNull()).isTrue();
        assertThat(entry.at("/details/actor").asString()).isEqualTo("system");
        assertThat(entry.at("/details/rule").asString()).isEqualTo("quality");

        // Idempotent: later runs add nothing; the node that never carried enough streams is never touched.
        report(unmeasured, 1, 5);
        assertThat(mine(autoBan.evaluate(t0.plus(Duration.ofMinutes(62))), poor, unmeasured, recovered)).isEmpty();
        assertThat(mine(autoBan.evaluate(t0.plus(Duration.ofHours(5))), poor, unmeasured)).isEmpty();
        assertThat(activeModerationsOf(admin, poor)).hasSize(1);
        assertThat(activeModerationsOf(admin, unmeasured)).isEmpty();

        // Lifted, the node gets a fresh hour: its old poor streak does not quarantine it again at once.
        call("DELETE", "/api/admin/nodes/bans/" + q.id(), admin, null);
        report(poor, 30, 13);
        assertThat(mine(autoBan.evaluate(t0.plus(Duration.ofHours(6))), poor)).isEmpty();
        assertThat(mine(autoBan.evaluate(t0.plus(Duration.ofMinutes(6 * 60 + 30))), poor)).isEmpty();
        report(poor, 30, 13);
        assertThat(mine(autoBan.evaluate(t0.plus(Duration.ofMinutes(7 * 60 + 1))), poor)).hasSize(1);
    }

    @Test
    void nodesAgainstEnoughOpenOrConfirmedAbuseReportsAreQuarantinedPendingReview() throws Exception {
        String admin = adminToken();
        rules(admin, Map.of("qualityEnabled", false, "abuseEnabled", true, "abuseReports", 2, "abuseWindowHours", 24,
                "abuseExpiryHours", 0, "fraudEnabled", false));
        JsonNode customer = registerCustomer();
        UUID customerId = UUID.fromString(customer.at("/user/id").asString());
        UUID apiKey = UUID.fromString(call("POST", "/api/proxy/keys", token(customer), Map.of("name", "ab")).body()
                .get("id").asString());
        String key = nodeKey(token(registerCustomer()));
        UUID carrier = device(key, "ab-carrier");
        UUID bystander = device(key, "ab-bystander");
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String t1 = "ab1-" + suffix + ".example";
        String t2 = "ab2-" + suffix + ".example";
        String t3 = "ab3-" + suffix + ".example";
        Instant now = Instant.now();
        List<UsageRecord> usage = new ArrayList<>();
        for (Object[] u : new Object[][] {{carrier, t1}, {carrier, t2}, {bystander, t2}, {bystander, t3}}) {
            usage.add(new UsageRecord(UUID.randomUUID(), customerId, apiKey, (UUID) u[0], null, 5_000, 700, 1, null, null,
                    (String) u[1], "http", true, null, now.minusSeconds(600), now.minusSeconds(590), 200));
        }
        usageSink.write(usage);
        String r1 = file(t1, now);
        String r2 = file(t2, now);
        String r3 = file(t3, now);
        // An admin dismissed r3 (resolved without a quarantine): it no longer counts against the bystander.
        assertThat(call("POST", "/api/admin/abuse/" + r3 + "/resolve", admin, Map.of("note", "not our traffic",
                "quarantine", false)).status()).isEqualTo(200);

        List<NodeModeration> done = mine(autoBan.evaluate(Instant.now()), carrier, bystander);
        assertThat(done).hasSize(1);
        NodeModeration q = done.getFirst();
        assertThat(q.nodeId()).isEqualTo(carrier);
        assertThat(q.rule()).isEqualTo(AutoBanService.ABUSE);
        assertThat(q.expiresAt()).as("until an admin lifts it").isNull();
        assertThat(q.reason()).contains("auto-ban rule abuse-reports", "2 open or confirmed abuse reports in 24 h",
                "newest " + r2, t1, t2, "pending review");
        assertThat(r1).isNotEqualTo(r2);
        assertThat(mine(autoBan.evaluate(Instant.now()), carrier, bystander)).isEmpty();
        assertThat(activeModerationsOf(admin, carrier)).hasSize(1);
        assertThat(activeModerationsOf(admin, bystander)).isEmpty();

        // The admin reviews and lifts it: the same reports never quarantine it again; a new one does.
        call("DELETE", "/api/admin/nodes/bans/" + q.id(), admin, null);
        assertThat(mine(autoBan.evaluate(Instant.now()), carrier)).isEmpty();
        String r4 = file(t1, now);
        List<NodeModeration> again = mine(autoBan.evaluate(Instant.now()), carrier);
        assertThat(again).hasSize(1);
        assertThat(again.getFirst().reason()).contains("3 open or confirmed", "newest " + r4);
    }

    /** Files a public report from an address of its own (the intake limits reports per address). */
    private static String file(String target, Instant now) {
        Map<String, Object> body = new HashMap<>();
        body.put("reporterEmail", "abuse-desk@example.org");
        body.put("target", target);
        body.put("from", now.minusSeconds(3600).toString());
        body.put("to", now.toString());
        body.put("description", "port scans from your network");
        Response r = call("POST", "/api/abuse", null, body, Map.of("X-Forwarded-For",
                "198.51.100." + ThreadLocalRandom.current().nextInt(1, 255)));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(201);
        return r.body().get("id").asString();
    }

    @Test
    void aDeviceWithAnEarningsAnomalyIsQuarantined() throws Exception {
        String admin = adminToken();
        rules(admin, Map.of("qualityEnabled", false, "abuseEnabled", false, "fraudEnabled", true, "fraudExpiryHours", 0));
        JsonNode owner = registerCustomer();
        UUID ownerId = UUID.fromString(owner.at("/user/id").asString());
        UUID node = device(nodeKey(token(owner)), "ab-fraud");
        // Three normal periods of 1 GB, then a jump of 100 GB: the credit job raises a device flag.
        for (int i = 0; i < 3; i++) {
            contribute(node, ownerId, 1_000_000_000L);
            earn.creditUpTo(Instant.now());
        }
        assertThat(mine(autoBan.evaluate(Instant.now()), node)).isEmpty();
        contribute(node, ownerId, 100_000_000_000L);
        earn.creditUpTo(Instant.now());
        assertThat(earn.openReviewFlags(ownerId)).anyMatch(f -> node.equals(f.nodeId()));

        List<NodeModeration> done = mine(autoBan.evaluate(Instant.now()), node);
        assertThat(done).hasSize(1);
        assertThat(done.getFirst().rule()).isEqualTo(AutoBanService.FRAUD);
        assertThat(done.getFirst().reason()).contains("auto-ban rule earnings-anomaly", "earnings review flag",
                "pending review");
        assertThat(done.getFirst().expiresAt()).isNull();
        assertThat(mine(autoBan.evaluate(Instant.now()), node)).isEmpty();
        assertThat(activeModerationsOf(admin, node)).hasSize(1);
        call("POST", "/api/admin/earn/users/" + ownerId + "/review-flags/clear", admin, Map.of("note", "checked"));
    }

    /** What the usage listener writes for a paid usage batch, here for a device without an agent (as EarnGuardsIT). */
    private void contribute(UUID node, UUID owner, long bytes) {
        jdbc.sql("""
                        INSERT INTO bandwidth_contributions (node_id, user_id, bytes, recorded_at, payment)
                        VALUES (?, ?, ?, now() - interval '1 second', 'paid')""")
                .params(node, owner, bytes).update();
    }
}
