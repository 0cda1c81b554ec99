package io.iploop.server.abuse;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.send;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.server.platform.WebSessionCookie;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The abuse intake and queue (docs/moderation.md#abuse-reports) against the shared platform: a
 * public report is validated and stored, the admin finds the customer and the node from real usage
 * records, and resolving with quarantine quarantines exactly the node that carried the traffic. All
 * public reports of this class come from one address, so the per-address limit is tested in one place.
 */
@PlatformTest
class AbuseReportsIT {

    @Autowired
    UsageSink usageSink;

    private static Map<String, Object> report(String target, Instant from, Instant to, String description) {
        Map<String, Object> body = new HashMap<>();
        body.put("reporterEmail", "abuse-desk@example.org");
        body.put("target", target);
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("description", description);
        return body;
    }

    @Test
    void aReportLeadsTheAdminToTheNodeWhichIsQuarantinedOnResolution() throws Exception {
        Instant now = Instant.now();
        // Bad input: 400 naming the field, nothing stored, no rate-limit token spent.
        Object[][] bad = {
                {"reporterEmail", Map.of("reporterEmail", "not-an-email")},
                {"target", Map.of("target", "exa mple.com")},
                {"target", Map.of("target", "")},
                {"from", Map.of("from", now.plusSeconds(3600).toString())},
                {"to", Map.of("to", now.minusSeconds(7200).toString())},
                {"to", Map.of("from", now.minusSeconds(8 * 86_400).toString())},
                {"description", Map.of("description", "short")},
        };
        for (Object[] b : bad) {
            Map<String, Object> body = report("victim.example", now.minusSeconds(3600), now, "a flood of login attempts");
            @SuppressWarnings("unchecked")
            Map<String, Object> change = (Map<String, Object>) b[1];
            body.putAll(change);
            Response r = call("POST", "/api/abuse", null, body);
            assertThat(r.status()).as(b[0] + ": " + r.body()).isEqualTo(400);
            assertThat(r.body().at("/error/code").asString()).isEqualTo("invalid_report");
            assertThat(r.body().at("/error/field").asString()).isEqualTo(b[0]);
        }

        // The node that carried traffic to the target, and one that carried other traffic.
        JsonNode customer = registerCustomer();
        String customerToken = token(customer);
        UUID customerId = UUID.fromString(customer.at("/user/id").asString());
        UUID apiKey = UUID.fromString(call("POST", "/api/proxy/keys", customerToken, Map.of("name", "abuse")).body()
                .get("id").asString());
        String operator = token(registerCustomer());
        String nodeKey = call("POST", "/api/nodes/keys", operator, Map.of("name", "abuse")).body().get("key").asString();
        UUID carrier = device(nodeKey, "abuse-carrier-" + UUID.randomUUID().toString().substring(0, 8));
        UUID bystander = device(nodeKey, "abuse-other-" + UUID.randomUUID().toString().substring(0, 8));
        String target = "victim-" + UUID.randomUUID().toString().substring(0, 8) + ".example";
        usageSink.write(List.of(
                new UsageRecord(UUID.randomUUID(), customerId, apiKey, carrier, null, 5_000, 700, 1, null, null, target,
                        "http", true, null, now.minusSeconds(600), now.minusSeconds(590), 200),
                new UsageRecord(UUID.randomUUID(), customerId, apiKey, carrier, null, 1_000, 300, 1, null, null,
                        target.toUpperCase(), "http", true, null, now.minusSeconds(300), now.minusSeconds(299), 200),
                new UsageRecord(UUID.randomUUID(), customerId, apiKey, bystander, null, 9_000, 9, 1, null, null,
                        "elsewhere.example", "http", true, null, now.minusSeconds(500), now.minusSeconds(499), 200),
                new UsageRecord(UUID.randomUUID(), customerId, apiKey, bystander, null, 9_000, 9, 1, null, null,
                        target, "http", true, null, now.minusSeconds(7200), now.minusSeconds(7199), 200)));

        Response submitted = call("POST", "/api/abuse", null,
                report(target.toUpperCase(), now.minusSeconds(3600), now, "credential stuffing against our login form"));
        assertThat(submitted.status()).as(submitted.body().toString()).isEqualTo(201);
        assertThat(submitted.body().get("status").asString()).isEqualTo("open");
        assertThat(submitted.body().toString()).doesNotContain(carrier.toString(), customerId.toString());
        String id = submitted.body().get("id").asString();

        String admin = adminToken();
        assertThat(call("GET", "/api/admin/abuse?open=true", customerToken, null).status()).isEqualTo(403);
        JsonNode queue = call("GET", "/api/admin/abuse?open=true", admin, null).body().get("reports");
        assertThat(queue.toString()).contains(id, target);
        JsonNode detail = call("GET", "/api/admin/abuse/" + id, admin, null).body();
        assertThat(detail.get("traffic")).hasSize(1);
        assertThat(detail.at("/traffic/0/nodeId").asString()).isEqualTo(carrier.toString());
        assertThat(detail.at("/traffic/0/userId").asString()).isEqualTo(customerId.toString());
        assertThat(detail.at("/traffic/0/bytes").asLong()).isEqualTo(5_700 + 1_300);
        assertThat(detail.at("/traffic/0/requests").asLong()).isEqualTo(2);

        // The admin page shows the same queue with the exit and the customer.
        HttpResponse<String> page = send("GET", "/admin/abuse", null, null,
                Map.of("Cookie", WebSessionCookie.NAME + "=" + admin));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(target, carrier.toString(), customerId.toString(), "credential stuffing")
                .doesNotContain(bystander.toString());

        assertThat(call("POST", "/api/admin/abuse/" + id + "/resolve", admin, Map.of("note", " ", "quarantine", true))
                .body().at("/error/field").asString()).isEqualTo("note");
        Response resolved = call("POST", "/api/admin/abuse/" + id + "/resolve", admin,
                Map.of("note", "customer suspended, exit quarantined", "quarantine", true));
        assertThat(resolved.status()).as(resolved.body().toString()).isEqualTo(200);
        assertThat(resolved.body().get("status").asString()).isEqualTo("resolved");
        assertThat(resolved.body().get("quarantinedNodes").asInt()).isEqualTo(1);
        assertThat(call("POST", "/api/admin/abuse/" + id + "/resolve", admin, Map.of("note", "again")).status())
                .isEqualTo(409);
        assertThat(call("GET", "/api/admin/abuse?open=true", admin, null).body().toString()).doesNotContain(id);

        JsonNode moderations = call("GET", "/api/admin/nodes/bans?active=true", admin, null).body().get("moderations");
        assertThat(moderations.toString()).contains(carrier.toString()).doesNotContain(bystander.toString());
        JsonNode carried = call("GET", "/api/nodes?search=abuse-carrier", operator, null).body().at("/nodes/0");
        assertThat(carried.get("moderation").asString()).isEqualTo("quarantine");
        assertThat(carried.get("moderationReason").asString()).contains(id);
        HttpResponse<String> supply = send("GET", "/admin", null, null, Map.of("Cookie", WebSessionCookie.NAME + "=" + admin));
        assertThat(supply.statusCode()).isEqualTo(200);
        assertThat(supply.body()).contains("Node moderation", carrier.toString(), "abuse report " + id);
        for (JsonNode m : moderations) {
            if (carrier.toString().equals(m.path("nodeId").asString())) {
                call("DELETE", "/api/admin/nodes/bans/" + m.get("id").asString(), admin, null);
            }
        }
        assertThat(call("GET", "/api/admin/abuse/" + UUID.randomUUID(), admin, null).status()).isEqualTo(404);

        // The per-address limit: at most 5 accepted an hour (one was accepted above).
        int accepted = 1;
        Response last = null;
        for (int i = 0; i < 6; i++) {
            last = call("POST", "/api/abuse", null, report("victim.example", now.minusSeconds(60), now,
                    "another report number " + i));
            if (last.status() != 201) {
                break;
            }
            accepted++;
        }
        assertThat(accepted).isEqualTo(AbuseService.REPORTS_PER_HOUR);
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.body().at("/error/code").asString()).isEqualTo("rate_limited");
    }

    private static UUID device(String nodeKey, String deviceId) {
        Response r = call("POST", "/api/earn/devices/register", null,
                Map.of("deviceId", deviceId, "deviceName", deviceId, "installMethod", "linux"), Map.of("X-Node-Key", nodeKey));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return UUID.fromString(r.body().get("id").asString());
    }
}
