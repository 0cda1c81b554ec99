package io.iploop.server.earn;

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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Traffic transparency (docs/product/earn.md#traffic-transparency) against the shared platform:
 * usage records written through the gateway's usage sink come back to the device's operator per
 * UTC day and host with byte counts equal to the stored records, other devices' traffic and other
 * days excluded, no customer identity shown, another operator gets 404 and bad dates 400.
 */
@PlatformTest
class EarnTrafficIT {

    @Autowired
    UsageSink usageSink;

    @Autowired
    JdbcClient jdbc;

    @Test
    void theOperatorSeesHostsAndBytesOfTheirDeviceOnly() throws Exception {
        JsonNode customer = registerCustomer();
        UUID customerId = UUID.fromString(customer.at("/user/id").asString());
        UUID apiKey = UUID.fromString(call("POST", "/api/proxy/keys", token(customer), Map.of("name", "traffic")).body()
                .get("id").asString());
        JsonNode other = registerCustomer();
        UUID otherCustomerId = UUID.fromString(other.at("/user/id").asString());
        UUID otherKey = UUID.fromString(call("POST", "/api/proxy/keys", token(other), Map.of("name", "traffic")).body()
                .get("id").asString());
        String operator = token(registerCustomer());
        String nodeKey = call("POST", "/api/nodes/keys", operator, Map.of("name", "traffic")).body().get("key").asString();
        String run = UUID.randomUUID().toString().substring(0, 8);
        UUID node = device(nodeKey, "traffic-" + run);
        UUID otherNode = device(nodeKey, "traffic-other-" + run);

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate day1 = today.minusDays(1);
        LocalDate day2 = today.minusDays(2);
        Instant d1 = day1.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(3600);
        Instant d2 = day2.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(7200);
        String big = "big-" + run + ".example";
        String small = "small-" + run + ".example";
        usageSink.write(List.of(
                record(customerId, apiKey, node, 5_000, 700, big, d1),
                record(otherCustomerId, otherKey, node, 1_000, 300, big.toUpperCase(), d1.plusSeconds(60)),
                record(customerId, apiKey, node, 40, 60, small, d1.plusSeconds(120)),
                record(customerId, apiKey, node, 2_000, 100, small, d2),
                // Another device of the same operator, and a day outside the range: both excluded.
                record(customerId, apiKey, otherNode, 9_000, 9, "elsewhere-" + run + ".example", d1),
                record(customerId, apiKey, node, 7_000, 7, "old-" + run + ".example", d2.minusSeconds(86_400 * 5))));

        Response r = call("GET", "/api/earn/devices/" + node + "/traffic?from=" + day2 + "&to=" + day1, operator, null);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        JsonNode rows = r.body();
        assertThat(rows).hasSize(3);
        // Newest day first, most bytes first within a day, hosts lower case.
        assertRow(rows.get(0), day1, big, 1_000, 6_000, 2, 2);
        assertRow(rows.get(1), day1, small, 60, 40, 1, 1);
        assertRow(rows.get(2), day2, small, 100, 2_000, 1, 1);
        assertThat(rows.toString()).doesNotContain(customerId.toString(), otherCustomerId.toString(), apiKey.toString(),
                "elsewhere-", "old-");

        // The byte counts are those of the stored usage records.
        for (JsonNode row : rows) {
            LocalDate day = LocalDate.parse(row.get("day").asString());
            long[] stored = jdbc.sql("""
                            SELECT COALESCE(sum(bytes_uploaded), 0) AS up, COALESCE(sum(bytes_downloaded), 0) AS down
                            FROM usage_records WHERE node_id = ? AND lower(target_host) = ?
                              AND started_at >= ? AND started_at < ?""")
                    .params(node, row.get("host").asString(),
                            java.sql.Timestamp.from(day.atStartOfDay(ZoneOffset.UTC).toInstant()),
                            java.sql.Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()))
                    .query((rs, n) -> new long[] {rs.getLong("up"), rs.getLong("down")}).single();
            assertThat(row.get("bytesUp").asLong()).isEqualTo(stored[0]);
            assertThat(row.get("bytesDown").asLong()).isEqualTo(stored[1]);
        }

        // Default range: the last 7 days, which include day1 and day2 but not the old record.
        JsonNode defaults = call("GET", "/api/earn/devices/" + node + "/traffic", operator, null).body();
        assertThat(defaults).hasSize(3);

        // The page lists the same hosts with the same byte counts, and says what is never recorded.
        HttpResponse<String> page = send("GET", "/earn/devices/" + node + "/traffic?from=" + day2 + "&to=" + day1, null,
                null, Map.of("Cookie", WebSessionCookie.NAME + "=" + operator));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("data-host=\"" + big + "\"", "data-bytes=\"7000\"", "data-bytes=\"100\"",
                "data-bytes=\"2100\"", "7,000", "paths, page contents and the customers")
                .doesNotContain(customerId.toString(), "elsewhere-" + run);

        // Bad input: 400 naming the parameter.
        Object[][] bad = {
                {"from", "?from=yesterday"},
                {"to", "?to=2026-13-01"},
                {"from", "?from=" + day1 + "&to=" + day2},
                {"to", "?from=" + today.minusDays(31) + "&to=" + today},
        };
        for (Object[] b : bad) {
            Response e = call("GET", "/api/earn/devices/" + node + "/traffic" + b[1], operator, null);
            assertThat(e.status()).as(b[1] + ": " + e.body()).isEqualTo(400);
            assertThat(e.body().at("/error/field").asString()).as(b[1].toString()).isEqualTo(b[0]);
        }
        assertThat(call("GET", "/api/earn/devices/" + node + "/traffic?from=" + today.minusDays(30) + "&to=" + today,
                operator, null).status()).isEqualTo(200);

        // Another operator: 404 on the API and on the page, as for a device that does not exist.
        String stranger = token(registerCustomer());
        Response foreign = call("GET", "/api/earn/devices/" + node + "/traffic", stranger, null);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.body().toString()).doesNotContain(big);
        assertThat(send("GET", "/earn/devices/" + node + "/traffic", null, null,
                Map.of("Cookie", WebSessionCookie.NAME + "=" + stranger)).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/api/earn/devices/" + UUID.randomUUID() + "/traffic", operator, null).status())
                .isEqualTo(404);
    }

    private static void assertRow(JsonNode row, LocalDate day, String host, long up, long down, long streams,
            long customers) {
        assertThat(row.get("day").asString()).isEqualTo(day.toString());
        assertThat(row.get("host").asString()).isEqualTo(host);
        assertThat(row.get("bytesUp").asLong()).isEqualTo(up);
        assertThat(row.get("bytesDown").asLong()).isEqualTo(down);
        assertThat(row.get("streams").asLong()).isEqualTo(streams);
        assertThat(row.get("customers").asLong()).isEqualTo(customers);
    }

    private static UsageRecord record(UUID user, UUID key, UUID node, long down, long up, String host, Instant start) {
        return new UsageRecord(UUID.randomUUID(), user, key, node, null, down, up, 1, null, null, host, "http", true, null,
                start, start.plusSeconds(5), 200);
    }

    private static UUID device(String nodeKey, String deviceId) {
        Response r = call("POST", "/api/earn/devices/register", null,
                Map.of("deviceId", deviceId, "deviceName", deviceId, "installMethod", "linux"), Map.of("X-Node-Key", nodeKey));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return UUID.fromString(r.body().get("id").asString());
    }
}
