package io.iploop.server.usage;

import static io.iploop.server.testing.Api.HTTP;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Usage analytics end to end: a customer proxies real requests with curl through the real gateway
 * and the local node to a real origin (two hosts, two keys, one 404, one country-targeted), then
 * every {@code /api/usage} endpoint must show exactly the bytes curl saw on the wire (which equal
 * the sum of the usage records), the right status codes, hosts and keys; the CSV downloads must
 * parse and match the JSON; another account must see none of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class UsageAnalyticsIT {

    @LocalServerPort
    int port;

    private static final List<String> ENDPOINTS = List.of("daily", "hourly", "by-country", "by-key", "status-codes", "top-domains");

    @Autowired
    DataPlane dataPlane;
    @Autowired
    JdbcClient jdbc;

    private TestOrigin origin;
    private String alice;
    private String bob;
    private UUID aliceId;
    private final Map<String, String> keyIds = new HashMap<>();
    /** What curl counted, per dimension value: [uploaded, downloaded]. */
    private final Map<String, long[]> byHost = new HashMap<>();
    private final Map<String, long[]> byKeyName = new HashMap<>();
    private final long[] total = new long[2];

    @BeforeAll
    void proxySomeRequests() throws Exception {
        origin = TestOrigin.http();
        JsonNode a = registerUnlimitedCustomer();
        alice = token(a);
        aliceId = UUID.fromString(a.at("/user/id").asString());
        bob = token(registerCustomer());
        String customerId = a.at("/user/customerId").asString();
        Map<String, String> keys = new HashMap<>();
        for (String name : List.of("alpha", "beta")) {
            JsonNode k = call("POST", "/api/proxy/keys", alice, Map.of("name", name)).body();
            keys.put(name, k.get("key").asString());
            keyIds.put(name, k.get("id").asString());
        }
        int proxyPort = dataPlane.ports().orElseThrow().httpProxy();
        String[][] requests = {
            {"alpha", "", "127.0.0.1", "/bytes/1000", "200"},
            {"alpha", "", "localhost", "/bytes/5000", "200"},
            {"beta", "", "127.0.0.1", "/no-such-page", "404"},
            {"beta", "-country-de", "localhost", "/bytes/300", "200"},
        };
        for (String[] r : requests) {
            String proxy = "http://" + customerId + ":" + keys.get(r[0]) + r[1] + "@127.0.0.1:" + proxyPort;
            Curl.Result res = Curl.run("-x", proxy, "http://" + r[2] + ":" + origin.port() + r[3]);
            assertThat(res.status()).as(res.stderr()).isEqualTo(Integer.parseInt(r[4]));
            long up = res.sizeRequest();
            long down = res.sizeHeader() + res.sizeDownload();
            add(byHost, r[2], up, down);
            add(byKeyName, r[0], up, down);
            total[0] += up;
            total[1] += down;
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("SELECT count(*) FROM usage_records WHERE user_id = ?")
                .param(aliceId).query(Long.class).single() == requests.length);
    }

    @AfterAll
    void stopOrigin() {
        origin.close();
    }

    private static void add(Map<String, long[]> m, String key, long up, long down) {
        long[] v = m.computeIfAbsent(key, k -> new long[2]);
        v[0] += up;
        v[1] += down;
    }

    @Test
    void recordsHoldWhatCurlCountedAndTheOriginStatus() {
        assertThat(jdbc.sql("SELECT sum(bytes_uploaded) FROM usage_records WHERE user_id = ?").param(aliceId)
                .query(Long.class).single()).isEqualTo(total[0]);
        assertThat(jdbc.sql("SELECT sum(bytes_downloaded) FROM usage_records WHERE user_id = ?").param(aliceId)
                .query(Long.class).single()).isEqualTo(total[1]);
        assertThat(jdbc.sql("SELECT http_status FROM usage_records WHERE user_id = ? ORDER BY http_status").param(aliceId)
                .query(Integer.class).list()).containsExactly(200, 200, 200, 404);
    }

    @Test
    void summaryAndEveryBreakdownAddUpToTheBytesTransferred() {
        JsonNode summary = get(alice, "summary?days=7");
        assertThat(summary.get("bytesUploaded").asLong()).isEqualTo(total[0]);
        assertThat(summary.get("bytesDownloaded").asLong()).isEqualTo(total[1]);
        assertThat(summary.get("totalRequests").asLong()).isEqualTo(4);
        for (String endpoint : ENDPOINTS) {
            JsonNode b = get(alice, endpoint + "?period=7d");
            long up = 0;
            long down = 0;
            long streams = 0;
            for (JsonNode bucket : b.get("buckets")) {
                up += bucket.get("bytesUploaded").asLong();
                down += bucket.get("bytesDownloaded").asLong();
                streams += bucket.get("streams").asLong();
                assertThat(bucket.get("totalBytes").asLong())
                        .isEqualTo(bucket.get("bytesUploaded").asLong() + bucket.get("bytesDownloaded").asLong());
            }
            assertThat(new long[] {up, down, streams}).as(endpoint).containsExactly(total[0], total[1], 4);
            assertThat(b.get("days").asInt()).isEqualTo(7);
        }
    }

    @Test
    void breakdownsNameTheRightDaysHoursCountriesKeysStatusesAndHosts() {
        JsonNode daily = get(alice, "daily?days=7").get("buckets");
        assertThat(daily.size()).isEqualTo(8); // the 7 × 24 h window touches 8 UTC dates
        assertThat(daily.get(7).get("key").asString()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
        assertThat(daily.get(7).get("streams").asLong()).isEqualTo(4);
        assertThat(get(alice, "hourly").get("buckets").size()).isEqualTo(24);

        assertThat(buckets(get(alice, "by-country?days=30"), "streams")).containsOnly(Map.entry("DE", 1L), Map.entry("", 3L));

        JsonNode byKey = get(alice, "by-key?period=30d").get("buckets");
        for (JsonNode k : byKey) {
            String name = k.get("label").asString();
            assertThat(k.get("key").asString()).isEqualTo(keyIds.get(name));
            assertThat(k.get("bytesUploaded").asLong()).isEqualTo(byKeyName.get(name)[0]);
            assertThat(k.get("bytesDownloaded").asLong()).isEqualTo(byKeyName.get(name)[1]);
        }
        assertThat(byKey.size()).isEqualTo(2);

        assertThat(buckets(get(alice, "status-codes"), "streams")).containsOnly(Map.entry("200", 3L), Map.entry("404", 1L));

        JsonNode hosts = get(alice, "top-domains?limit=10").get("buckets");
        assertThat(hosts.size()).isEqualTo(2);
        for (JsonNode h : hosts) {
            assertThat(h.get("bytesUploaded").asLong()).isEqualTo(byHost.get(h.get("key").asString())[0]);
            assertThat(h.get("bytesDownloaded").asLong()).isEqualTo(byHost.get(h.get("key").asString())[1]);
        }
        // most bytes first: localhost carried the 5000-byte body
        assertThat(hosts.get(0).get("key").asString()).isEqualTo("localhost");
        assertThat(get(alice, "top-domains?limit=1").get("buckets").size()).isEqualTo(1);
    }

    @Test
    void recentListsNewestFirstUpToTheLimit() {
        JsonNode recent = get(alice, "recent?limit=3").get("records");
        assertThat(recent.size()).isEqualTo(3);
        assertThat(recent.get(0).get("targetHost").asString()).isEqualTo("localhost");
        assertThat(recent.get(0).get("targetCountry").asString()).isEqualTo("DE");
        assertThat(recent.get(1).get("httpStatus").asInt()).isEqualTo(404);
        assertThat(recent.get(1).get("apiKeyId").asString()).isEqualTo(keyIds.get("beta"));
        assertThat(recent.get(0).get("startedAt").asString()).isGreaterThanOrEqualTo(recent.get(1).get("startedAt").asString());
        assertThat(get(alice, "recent").get("records").size()).isEqualTo(4);
    }

    @Test
    void csvDownloadsParseAndMatchTheJson() {
        for (String endpoint : ENDPOINTS) {
            JsonNode json = get(alice, endpoint);
            Csv csv = csv(alice, endpoint);
            assertThat(csv.disposition()).isEqualTo("attachment; filename=\"usage-" + endpoint + "-30d.csv\"");
            assertThat(csv.rows()).hasSize(json.get("buckets").size());
            String dimension = json.get("dimension").asString();
            for (int i = 0; i < csv.rows().size(); i++) {
                CSVRecord row = csv.rows().get(i);
                JsonNode bucket = json.get("buckets").get(i);
                assertThat(row.get(dimension)).isEqualTo(bucket.get("key").isNull() ? "" : bucket.get("key").asString());
                assertThat(Long.parseLong(row.get("bytes_uploaded"))).isEqualTo(bucket.get("bytesUploaded").asLong());
                assertThat(Long.parseLong(row.get("bytes_downloaded"))).isEqualTo(bucket.get("bytesDownloaded").asLong());
                assertThat(Long.parseLong(row.get("total_bytes"))).isEqualTo(bucket.get("totalBytes").asLong());
                assertThat(Long.parseLong(row.get("requests"))).isEqualTo(bucket.get("requests").asLong());
                assertThat(Long.parseLong(row.get("streams"))).isEqualTo(bucket.get("streams").asLong());
            }
        }
        Csv summary = csv(alice, "summary");
        assertThat(summary.rows()).hasSize(1);
        assertThat(Long.parseLong(summary.rows().getFirst().get("total_bytes"))).isEqualTo(total[0] + total[1]);
        assertThat(new BigDecimal(summary.rows().getFirst().get("success_rate")))
                .isEqualByComparingTo(get(alice, "summary").get("successRate").decimalValue());

        Csv recent = csv(alice, "recent");
        JsonNode records = get(alice, "recent").get("records");
        assertThat(recent.rows()).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(recent.rows().get(i).get("id")).isEqualTo(records.get(i).get("id").asString());
            assertThat(recent.rows().get(i).get("http_status")).isEqualTo(records.get(i).get("httpStatus").asString());
            assertThat(Long.parseLong(recent.rows().get(i).get("bytes_downloaded"))).isEqualTo(records.get(i).get("bytesDownloaded").asLong());
        }
    }

    @Test
    void anotherAccountSeesNothing() {
        JsonNode summary = get(bob, "summary?period=1y");
        assertThat(summary.get("totalBytes").asLong()).isZero();
        assertThat(summary.get("streams").asLong()).isZero();
        for (String endpoint : ENDPOINTS) {
            for (JsonNode bucket : get(bob, endpoint + "?days=365").get("buckets")) {
                assertThat(bucket.get("streams").asLong()).as(endpoint).isZero();
            }
        }
        assertThat(get(bob, "by-country").get("buckets").size()).isZero();
        assertThat(get(bob, "recent").get("records").size()).isZero();
        assertThat(csv(bob, "top-domains").rows()).isEmpty();
    }

    @Test
    void invalidParametersNameTheField() {
        assertThat(error("summary?days=366")).isEqualTo("days");
        assertThat(error("daily?days=abc")).isEqualTo("days");
        assertThat(error("hourly?period=2w")).isEqualTo("period");
        assertThat(error("by-key?days=7&period=30d")).isEqualTo("period");
        assertThat(error("recent?limit=101")).isEqualTo("limit");
        assertThat(error("top-domains?limit=0")).isEqualTo("limit");
        assertThat(error("status-codes?format=xml")).isEqualTo("format");
        assertThat(call("GET", "/api/usage/daily", null, null).status()).isEqualTo(401);
    }

    private JsonNode get(String token, String path) {
        Response r = call("GET", "/api/usage/" + path, token, null);
        assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    private String error(String path) {
        Response r = call("GET", "/api/usage/" + path, alice, null);
        assertThat(r.status()).as(path).isEqualTo(400);
        return r.body().at("/error/field").asString();
    }

    private static Map<String, Long> buckets(JsonNode breakdown, String field) {
        Map<String, Long> m = new HashMap<>();
        for (JsonNode b : breakdown.get("buckets")) {
            m.put(b.get("key").isNull() ? "" : b.get("key").asString(), b.get(field).asLong());
        }
        return m;
    }

    private record Csv(String disposition, List<CSVRecord> rows) {}

    private Csv csv(String token, String endpoint) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/usage/" + endpoint + "?format=csv"))
                .header("Authorization", "Bearer " + token).build();
        try {
            HttpResponse<String> res = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(endpoint).isEqualTo(200);
            assertThat(res.headers().firstValue("Content-Type")).hasValue("text/csv;charset=UTF-8");
            List<CSVRecord> rows = new ArrayList<>(CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                    .parse(new StringReader(res.body())).getRecords());
            return new Csv(res.headers().firstValue("Content-Disposition").orElse(""), rows);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
