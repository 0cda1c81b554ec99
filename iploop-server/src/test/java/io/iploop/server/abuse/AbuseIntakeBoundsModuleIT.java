package io.iploop.server.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.audit.AuditService;
import io.iploop.server.nodes.NodeModerationService;
import io.iploop.server.testing.ModuleTestDatabase;
import io.iploop.server.usage.UsageService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.test.ApplicationModuleTest;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The global bounds of the public abuse intake (docs/moderation.md#abuse-reports): many client
 * addresses together cannot file more than the hourly bound, nor keep more reports open than the
 * queue bound, and each refusal is a clear 429 with {@code Retry-After} that stores nothing. The
 * abuse feature alone (module test) on the real embedded PostgreSQL, over real HTTP with distinct
 * client addresses through {@code X-Forwarded-For} from a trusted loopback proxy, with small bounds
 * so the test stays quick; its collaborators in other features are mocks (not reached here).
 */
@ApplicationModuleTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = ModuleTestDatabase.class)
@TestPropertySource(properties = {"iploop.abuse.reports-per-hour=4", "iploop.abuse.max-open-reports=6",
        "iploop.trusted-proxies=127.0.0.1"})
class AbuseIntakeBoundsModuleIT {

    @MockitoBean
    UsageService usage;

    @MockitoBean
    NodeModerationService moderation;

    @MockitoBean
    AuditService audit;

    @Autowired
    AbuseService abuse;

    @Autowired
    JdbcClient jdbc;

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private int nextAddress = 1;

    @Test
    void manyAddressesTogetherCannotFillTheTable() throws Exception {
        // Ten reports at once, each from an address of its own: the hourly bound (4) holds under the race.
        List<HttpResponse<String>> burst = concurrently(10);
        assertThat(burst).filteredOn(r -> r.statusCode() == 201).hasSize(4);
        List<HttpResponse<String>> refused = burst.stream().filter(r -> r.statusCode() != 201).toList();
        assertThat(refused).hasSize(6).allSatisfy(r -> {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
            assertThat(code(r)).isEqualTo("abuse_intake_rate_limited");
            long retryAfter = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(3_500L, 3_600L);
        });
        assertThat(rows()).isEqualTo(4);

        // An hour later (the rows moved back in time) the intake takes reports again, up to the queue bound (6 open).
        jdbc.sql("UPDATE abuse_reports SET created_at = created_at - interval '61 minutes'").update();
        assertThat(post(freshAddress()).statusCode()).isEqualTo(201);
        assertThat(post(freshAddress()).statusCode()).isEqualTo(201);
        HttpResponse<String> full = post(freshAddress());
        assertThat(full.statusCode()).as(full.body()).isEqualTo(429);
        assertThat(code(full)).isEqualTo("abuse_queue_full");
        assertThat(json.readTree(full.body()).at("/error/message").asString()).contains("6 open reports");
        assertThat(full.headers().firstValue("Retry-After")).hasValue("3600");
        assertThat(rows()).isEqualTo(6);

        // An admin works the queue (as the resolution stores it; this module test has no admin account):
        // the intake takes one more.
        jdbc.sql("""
                UPDATE abuse_reports SET status = 'resolved', resolved_at = now(), resolution = 'handled by phone'
                WHERE id = (SELECT id FROM abuse_reports ORDER BY created_at LIMIT 1)""").update();
        assertThat(abuse.list(true)).hasSize(5);
        HttpResponse<String> accepted = post(freshAddress());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
        assertThat(post(freshAddress()).statusCode()).isEqualTo(429);
        assertThat(rows()).isEqualTo(7);
    }

    private List<HttpResponse<String>> concurrently(int n) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) {
                String address = freshAddress();
                futures.add(pool.submit(() -> {
                    start.await();
                    return post(address);
                }));
            }
            start.countDown();
            List<HttpResponse<String>> out = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) {
                out.add(f.get());
            }
            return out;
        }
    }

    private String freshAddress() {
        return "198.51.100." + nextAddress++;
    }

    private HttpResponse<String> post(String clientAddress) throws Exception {
        Instant now = Instant.now();
        String body = json.writeValueAsString(java.util.Map.of("reporterEmail", "abuse@example.org",
                "target", "victim.example", "from", now.minus(Duration.ofHours(1)).toString(), "to", now.toString(),
                "description", "port scans against our network from " + clientAddress));
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/abuse"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", clientAddress)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String code(HttpResponse<String> r) {
        JsonNode body = json.readTree(r.body());
        return body.at("/error/code").asString();
    }

    private long rows() {
        return jdbc.sql("SELECT count(*) FROM abuse_reports").query(Long.class).single();
    }
}
