package io.iploop.server.platform;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.send;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/v2} as a client sees it (docs/product/api.md#api-v2): the envelope on success and on every kind of
 * error, pagination, filters, sorting and field selection with 400 naming the bad parameter, ETag and
 * 304, and the endpoints' parameters in the OpenAPI document.
 */
@PlatformTest
class V2ApiIT {

    @Autowired
    UsageSink usageSink;
    @Autowired
    DataPlane dataPlane;

    private List<String> names(JsonNode envelope) {
        List<String> names = new ArrayList<>();
        envelope.get("data").forEach(k -> names.add(k.get("name").asString()));
        return names;
    }

    @Test
    void keysListIsAnEnvelopeWithPagingSortingFiltersAndFields() {
        String token = token(registerUnlimitedCustomer());
        for (String name : List.of("bravo", "alpha", "charlie")) {
            assertThat(call("POST", "/api/proxy/keys", token, Map.of("name", name)).status()).isEqualTo(201);
        }
        String charlie = call("GET", "/api/proxy/keys", token, null).body().at("/keys/0/id").asString();
        call("PATCH", "/api/proxy/keys/" + charlie, token, Map.of("isActive", false));

        Response all = call("GET", "/api/v2/proxy/keys", token, null);
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.body().get("success").asBoolean()).isTrue();
        assertThat(all.body().has("error")).isFalse();
        assertThat(all.body().get("meta").toString()).isEqualTo("{\"page\":1,\"limit\":20,\"total\":3}");
        assertThat(names(all.body())).containsExactly("charlie", "alpha", "bravo"); // default: createdAt desc

        Response first = call("GET", "/api/v2/proxy/keys?limit=2&sort=name&order=asc", token, null);
        assertThat(names(first.body())).containsExactly("alpha", "bravo");
        assertThat(first.body().at("/meta/total").asLong()).isEqualTo(3);
        Response second = call("GET", "/api/v2/proxy/keys?limit=2&page=2&sort=name&order=asc", token, null);
        assertThat(names(second.body())).containsExactly("charlie");
        assertThat(second.body().at("/meta/page").asInt()).isEqualTo(2);
        assertThat(names(call("GET", "/api/v2/proxy/keys?page=3&limit=2", token, null).body())).isEmpty();

        assertThat(names(call("GET", "/api/v2/proxy/keys?sort=created_at&order=asc", token, null).body()))
                .containsExactly("bravo", "alpha", "charlie");
        assertThat(names(call("GET", "/api/v2/proxy/keys?status=active&sort=name&order=asc", token, null).body()))
                .containsExactly("alpha", "bravo");
        Response inactive = call("GET", "/api/v2/proxy/keys?status=inactive", token, null);
        assertThat(names(inactive.body())).containsExactly("charlie");
        assertThat(inactive.body().at("/meta/total").asLong()).isEqualTo(1);

        Response narrow = call("GET", "/api/v2/proxy/keys?fields=id,name&sort=name&order=asc", token, null);
        assertThat(narrow.status()).isEqualTo(200);
        for (JsonNode key : narrow.body().get("data")) {
            assertThat(key.propertyNames()).containsExactly("id", "name");
        }
        JsonNode one = call("GET", "/api/v2/proxy/keys/" + charlie + "?fields=name,is_active", token, null).body();
        assertThat(one.get("success").asBoolean()).isTrue();
        assertThat(one.get("data").toString()).isEqualTo("{\"name\":\"charlie\",\"isActive\":false}");
        assertThat(one.has("meta")).isFalse();
    }

    @Test
    void badParametersAnswer400InTheEnvelopeNamingTheParameter() {
        String token = token(registerUnlimitedCustomer());
        Map<String, String> bad = Map.of(
                "/api/v2/proxy/keys?limit=101", "limit",
                "/api/v2/proxy/keys?limit=abc", "limit",
                "/api/v2/proxy/keys?page=0", "page",
                "/api/v2/proxy/keys?sort=keyHash", "sort",
                "/api/v2/proxy/keys?order=sideways", "order",
                "/api/v2/proxy/keys?fields=id,secret", "fields",
                "/api/v2/proxy/keys?colour=red", "colour",
                "/api/v2/proxy/keys?status=maybe", "status",
                "/api/v2/nodes?country=usa", "country",
                "/api/v2/audit-logs?action=dance", "action");
        bad.forEach((path, field) -> {
            Response r = call("GET", path, token, null);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.body().get("success").asBoolean()).as(path).isFalse();
            assertThat(r.body().at("/error/field").asString()).as(path).isEqualTo(field);
            assertThat(r.body().has("data")).as(path).isFalse();
        });
        Response unknown = call("GET", "/api/v2/proxy/keys?colour=red", token, null);
        assertThat(unknown.body().at("/error/code").asString()).isEqualTo("unknown_parameter");
        assertThat(unknown.body().at("/error/message").asString()).contains("colour");
        Response fields = call("GET", "/api/v2/proxy/keys/" + UUID.randomUUID() + "?fields=secret", token, null);
        assertThat(fields.status()).isEqualTo(400);
        assertThat(fields.body().at("/error/message").asString()).contains("secret");
        // a single object has no pages
        assertThat(call("GET", "/api/v2/proxy/keys/" + UUID.randomUUID() + "?page=2", token, null).body()
                .at("/error/field").asString()).isEqualTo("page");
    }

    @Test
    void errorsOfEveryKindUseTheEnvelope() {
        Response anonymous = call("GET", "/api/v2/proxy/keys", null, null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.body().get("success").asBoolean()).isFalse();
        assertThat(anonymous.body().at("/error/code").asString()).isEqualTo("unauthorized");

        String token = token(registerUnlimitedCustomer());
        Response missing = call("GET", "/api/v2/proxy/keys/" + UUID.randomUUID(), token, null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("success").asBoolean()).isFalse();
        assertThat(missing.body().at("/error/code").asString()).isEqualTo("key_not_found");

        Response nowhere = call("GET", "/api/v2/no-such-thing", token, null);
        assertThat(nowhere.status()).isEqualTo(404);
        assertThat(nowhere.body().get("success").asBoolean()).isFalse();

        Response adminOnly = call("GET", "/api/v2/admin/users", token, null);
        assertThat(adminOnly.status()).isEqualTo(403);
        assertThat(adminOnly.body().at("/error/code").asString()).isEqualTo("forbidden");

        // v1 keeps its own shape
        Response v1 = call("GET", "/api/proxy/keys/" + UUID.randomUUID(), token, null);
        assertThat(v1.body().has("success")).isFalse();
        assertThat(v1.body().at("/error/code").asString()).isEqualTo("key_not_found");
    }

    @Test
    void etagAnswersIfNoneMatchWith304UntilTheDataChanges() {
        String token = token(registerUnlimitedCustomer());
        call("POST", "/api/proxy/keys", token, Map.of("name", "cached"));

        HttpResponse<String> first = send("GET", "/api/v2/proxy/keys", token, null, Map.of());
        assertThat(first.statusCode()).isEqualTo(200);
        String etag = first.headers().firstValue("ETag").orElseThrow();
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("private, no-cache");

        HttpResponse<String> again = send("GET", "/api/v2/proxy/keys", token, null, Map.of("If-None-Match", etag));
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.headers().firstValue("ETag")).hasValue(etag);

        // another representation (fields) is another ETag
        HttpResponse<String> narrow = send("GET", "/api/v2/proxy/keys?fields=id", token, null,
                Map.of("If-None-Match", etag));
        assertThat(narrow.statusCode()).isEqualTo(200);
        assertThat(narrow.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);

        call("POST", "/api/proxy/keys", token, Map.of("name", "changed"));
        HttpResponse<String> changed = send("GET", "/api/v2/proxy/keys", token, null, Map.of("If-None-Match", etag));
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(changed.body()).contains("changed");
        assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);

        String keyId = call("GET", "/api/proxy/keys", token, null).body().at("/keys/0/id").asString();
        String oneTag = send("GET", "/api/v2/proxy/keys/" + keyId, token, null, Map.of()).headers()
                .firstValue("ETag").orElseThrow();
        assertThat(send("GET", "/api/v2/proxy/keys/" + keyId, token, null, Map.of("If-None-Match", oneTag))
                .statusCode()).isEqualTo(304);
    }

    @Test
    void auditLogsArePagedFilteredAndOrdered() {
        String token = token(registerUnlimitedCustomer());
        for (String name : List.of("a1", "a2", "a3")) {
            call("POST", "/api/proxy/keys", token, Map.of("name", name));
        }
        Response created = call("GET", "/api/v2/audit-logs?action=api_key_created&limit=2", token, null);
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.body().at("/meta/total").asLong()).isEqualTo(3);
        assertThat(created.body().get("data")).hasSize(2);
        assertThat(created.body().at("/data/0/details/name").asString()).isEqualTo("a3");
        Response oldest = call("GET", "/api/v2/audit-logs?action=api_key_created&order=asc&fields=details", token, null);
        assertThat(oldest.body().at("/data/0/details/name").asString()).isEqualTo("a1");
        assertThat(oldest.body().at("/data/0").propertyNames()).containsExactly("details");
        Response byType = call("GET", "/api/v2/audit-logs?resource_type=api_key", token, null);
        assertThat(byType.body().at("/meta/total").asLong()).isEqualTo(3);
        assertThat(call("GET", "/api/v2/audit-logs?resourceType=node_key", token, null).body().at("/meta/total")
                .asLong()).isZero();
    }

    @Test
    void recentUsageIsPagedAndFilteredInSql() throws Exception {
        JsonNode customer = registerUnlimitedCustomer();
        String token = token(customer);
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        UUID keyId = UUID.fromString(call("POST", "/api/proxy/keys", token, Map.of("name", "u")).body().get("id").asString());
        Instant now = Instant.now();
        List<UsageRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            boolean ok = i != 2;
            records.add(new UsageRecord(UUID.randomUUID(), userId, keyId, null, null, 1000 + i, 10, 1, i < 3 ? "DE" : "US",
                    null, "host" + i + ".example", "http", ok, ok ? null : "exit_timeout", now.minusSeconds(100 - i),
                    now.minusSeconds(99 - i), ok ? 200 : null));
        }
        usageSink.write(records);

        Response page = call("GET", "/api/v2/usage/recent?days=1&limit=2", token, null);
        assertThat(page.status()).as(page.body().toString()).isEqualTo(200);
        assertThat(page.body().at("/meta/total").asLong()).isEqualTo(5);
        assertThat(page.body().at("/data/0/targetHost").asString()).isEqualTo("host4.example");
        Response last = call("GET", "/api/v2/usage/recent?days=1&limit=2&page=3", token, null);
        assertThat(last.body().at("/data/0/targetHost").asString()).isEqualTo("host0.example");
        assertThat(last.body().get("data")).hasSize(1);
        assertThat(call("GET", "/api/v2/usage/recent?period=7d&order=asc&fields=target_host", token, null).body()
                .at("/data/0").toString()).isEqualTo("{\"targetHost\":\"host0.example\"}");
        Response failed = call("GET", "/api/v2/usage/recent?success=false", token, null);
        assertThat(failed.body().at("/meta/total").asLong()).isEqualTo(1);
        assertThat(failed.body().at("/data/0/errorCode").asString()).isEqualTo("exit_timeout");
        assertThat(call("GET", "/api/v2/usage/recent?target_country=us", token, null).body().at("/meta/total").asLong())
                .isEqualTo(2);
        Response badDays = call("GET", "/api/v2/usage/recent?days=0", token, null);
        assertThat(badDays.status()).isEqualTo(400);
        assertThat(badDays.body().at("/error/field").asString()).isEqualTo("days");
        assertThat(call("GET", "/api/v2/usage/recent?success=perhaps", token, null).body().at("/error/field").asString())
                .isEqualTo("success");
    }

    @Test
    void nodesAndNodeKeysAreFilteredSortedAndPaged() {
        String operator = token(registerUnlimitedCustomer());
        JsonNode issued = call("POST", "/api/nodes/keys", operator, Map.of("name", "v2-nodes")).body();
        call("POST", "/api/nodes/keys", operator, Map.of("name", "spare"));
        String run = UUID.randomUUID().toString().substring(0, 8);
        int hub = dataPlane.ports().orElseThrow().nodeHub();
        List<NodeAgent> agents = new ArrayList<>();
        try {
            for (String[] n : new String[][] {{"a", "US", "wifi"}, {"b", "DE", "ethernet"}, {"c", "US", "cellular"}}) {
                NodeAgent agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + hub + "/ws"),
                        issued.get("key").asString(), "v2-" + run + "-" + n[0], n[0], n[1], null, null, 0, null, n[2],
                        false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
                agent.start();
                agents.add(agent);
            }
            for (NodeAgent a : agents) {
                await().atMost(Duration.ofSeconds(15)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
            }
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    call("GET", "/api/v2/nodes?status=available", operator, null).body().at("/meta/total").asLong() == 3);

            Response byDevice = call("GET", "/api/v2/nodes?sort=device_id&order=desc&limit=2&fields=deviceId,country",
                    operator, null);
            assertThat(byDevice.body().get("data").toString()).isEqualTo("[{\"deviceId\":\"v2-" + run
                    + "-c\",\"country\":\"US\"},{\"deviceId\":\"v2-" + run + "-b\",\"country\":\"DE\"}]");
            assertThat(byDevice.body().at("/meta/total").asLong()).isEqualTo(3);
            Response us = call("GET", "/api/v2/nodes?country=us&connection_type=cellular", operator, null);
            assertThat(us.body().at("/meta/total").asLong()).isEqualTo(1);
            assertThat(us.body().at("/data/0/deviceId").asString()).isEqualTo("v2-" + run + "-c");
            assertThat(call("GET", "/api/v2/nodes?search=" + run + "-a", operator, null).body().at("/meta/total").asLong())
                    .isEqualTo(1);
            assertThat(call("GET", "/api/v2/nodes?sort=ip", operator, null).body().at("/error/field").asString())
                    .isEqualTo("sort");
        } finally {
            agents.forEach(NodeAgent::close);
        }

        Response keys = call("GET", "/api/v2/nodes/keys?sort=name&order=asc", operator, null);
        assertThat(names(keys.body())).containsExactly("spare", "v2-nodes");
        assertThat(keys.body().toString()).doesNotContain(issued.get("key").asString());
        Response one = call("GET", "/api/v2/nodes/keys/" + issued.get("id").asString(), operator, null);
        assertThat(one.body().at("/data/keyPrefix").asString()).isEqualTo(issued.get("keyPrefix").asString());
        assertThat(call("GET", "/api/v2/nodes/keys?status=revoked", operator, null).body().get("data")).isEmpty();
    }

    @Test
    void openApiDocumentsTheV2ParametersAndKeepsV1() {
        JsonNode paths = call("GET", "/api/openapi.json", null, null).body().get("paths");
        assertThat(paths.has("/api/nodes")).isTrue();
        assertThat(paths.has("/api/proxy/keys")).isTrue();
        for (String v2 : List.of("/api/v2/proxy/keys", "/api/v2/proxy/keys/{keyId}", "/api/v2/nodes",
                "/api/v2/nodes/keys", "/api/v2/nodes/keys/{keyId}", "/api/v2/audit-logs", "/api/v2/usage/recent")) {
            assertThat(paths.has(v2)).as(v2).isTrue();
        }
        List<String> nodeParams = new ArrayList<>();
        JsonNode sortSchema = null;
        for (JsonNode p : paths.at("/~1api~1v2~1nodes/get/parameters")) {
            nodeParams.add(p.get("name").asString());
            if (p.get("name").asString().equals("sort")) {
                sortSchema = p.get("schema");
            }
        }
        assertThat(nodeParams).contains("page", "limit", "sort", "order", "fields", "country", "status",
                "connectionType", "search");
        assertThat(nodeParams).doesNotContain("query");
        assertThat(sortSchema).isNotNull();
        assertThat(sortSchema.get("enum").toString()).contains("createdAt", "deviceId");
        List<String> usageParams = new ArrayList<>();
        paths.at("/~1api~1v2~1usage~1recent/get/parameters").forEach(p -> usageParams.add(p.get("name").asString()));
        assertThat(usageParams).contains("days", "period", "page", "limit", "success", "targetCountry");
        JsonNode listBody = paths.at("/~1api~1v2~1nodes/get/responses/200/content").values().iterator().next().get("schema");
        assertThat(listBody.at("/properties").propertyNames()).containsExactly("success", "data", "meta");
        assertThat(listBody.at("/properties/data/items/$ref").asString()).isEqualTo("#/components/schemas/NodeView");
        JsonNode oneBody = paths.at("/~1api~1v2~1proxy~1keys~1{keyId}/get/responses/200/content").values().iterator().next()
                .get("schema");
        assertThat(oneBody.at("/properties/data/$ref").asString()).isEqualTo("#/components/schemas/ApiKey");
        List<String> v1Params = new ArrayList<>();
        paths.at("/~1api~1nodes/get/parameters").forEach(p -> v1Params.add(p.get("name").asString()));
        assertThat(v1Params).doesNotContain("sort", "fields");
    }
}
