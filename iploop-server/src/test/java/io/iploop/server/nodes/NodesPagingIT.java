package io.iploop.server.nodes;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/nodes} for an operator with more nodes than one page (docs/scale.md#node-list):
 * the page comes from SQL ({@code page}, {@code limit}), {@code total} counts every node, the pages
 * together hold every node once in order, and the statistics (from a grouped query, not from
 * loading every node) count all of them; another account sees none of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class NodesPagingIT {

    private static final int NODES = 230;

    @Autowired
    JdbcTemplate jdbc;

    private String operator;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    void manyNodes() {
        JsonNode login = registerCustomer();
        operator = token(login);
        UUID owner = UUID.fromString(login.at("/user/id").asString());
        // Registered nodes of a large fleet, none connected: rows as the gateway's admission writes them.
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            String country = i % 3 == 0 ? "US" : i % 3 == 1 ? "DE" : null;
            String platform = i % 2 == 0 ? "Android" : "linux";
            rows.add(new Object[] {String.format("pg-%s-%03d", run, i), owner, country, platform, "wifi", (long) i * 1000,
                    50 + i % 50});
        }
        jdbc.batchUpdate("INSERT INTO nodes (device_id, owner_user_id, country, platform, connection_type, bandwidth_bytes,"
                + " quality_score) VALUES (?, ?, ?, ?, ?, ?, ?)", rows);
    }

    private JsonNode list(String query) {
        Response r = call("GET", "/api/nodes" + query, operator, null);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }

    @Test
    void pagesInSqlCoverEveryNodeOnceWithTheTotalAndStatisticsOfAll() {
        Set<String> seen = new HashSet<>();
        List<String> inOrder = new ArrayList<>();
        for (int page = 1; page <= 3; page++) {
            JsonNode body = list("?limit=100&page=" + page);
            assertThat(body.get("total").asLong()).isEqualTo(NODES);
            assertThat(body.get("page").asInt()).isEqualTo(page);
            assertThat(body.get("nodeCount").asInt()).isEqualTo(page < 3 ? 100 : 30);
            body.get("nodes").forEach(n -> {
                assertThat(seen.add(n.get("deviceId").asString())).as("twice: " + n.get("deviceId")).isTrue();
                inOrder.add(n.get("deviceId").asString());
            });
            JsonNode stats = body.get("stats");
            assertThat(stats.get("totalNodes").asInt()).isEqualTo(NODES);
            assertThat(stats.get("onlineNodes").asInt()).isZero();
            assertThat(stats.at("/byCountry/US").asInt()).isEqualTo(77);
            assertThat(stats.at("/byCountry/DE").asInt()).isEqualTo(77);
            assertThat(stats.at("/byCountry/??").asInt()).isEqualTo(76);
            assertThat(stats.at("/byDeviceType/android").asInt()).isEqualTo(115);
            assertThat(stats.at("/byDeviceType/linux").asInt()).isEqualTo(115);
            assertThat(stats.get("totalBandwidthBytes").asLong()).isEqualTo(1000L * NODES * (NODES - 1) / 2);
        }
        assertThat(seen).hasSize(NODES);
        assertThat(list("?limit=100&page=2").get("nodes").get(0).get("deviceId").asString())
                .as("the same order on every call").isEqualTo(inOrder.get(100));
        assertThat(list("?limit=100&page=4").get("nodes")).isEmpty();
        assertThat(list("?country=DE&limit=10").get("total").asLong()).isEqualTo(77);
    }

    @Test
    void anotherAccountSeesNoneOfThem() {
        String stranger = token(registerCustomer());
        JsonNode body = call("GET", "/api/nodes?search=pg-" + run, stranger, null).body();
        assertThat(body.get("total").asLong()).isZero();
        assertThat(body.at("/stats/totalNodes").asInt()).isZero();
    }
}
