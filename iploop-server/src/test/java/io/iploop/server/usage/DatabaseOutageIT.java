package io.iploop.server.usage;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.ServerTest;
import io.iploop.server.testing.SharedPlatform;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.Ordered;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;
import org.springframework.test.context.TestExecutionListeners;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The fault suite's database outage (issue 11, docs/operations.md#when-the-database-is-down): the
 * platform runs against an external PostgreSQL that this test owns (the same embedded PostgreSQL
 * library as the platform's default), a real client sends traffic through the gateway and the
 * local node, PostgreSQL is stopped for {@link #OUTAGE} while the traffic goes on, and started
 * again. The already-authenticated customer is served throughout, and once the database is back
 * the usage stored for the customer equals, byte for byte, what the client sent and received: the
 * records waited in the usage journal and were written exactly once.
 */
@ServerTest
@Timeout(600)
@DirtiesContext
@TestExecutionListeners(listeners = DatabaseOutageIT.StopPostgresAfterThePlatform.class,
        mergeMode = TestExecutionListeners.MergeMode.MERGE_WITH_DEFAULTS)
class DatabaseOutageIT {

    /** How long PostgreSQL is down (the scenario is 60 s; shorter keeps the suite's wall time reasonable). */
    static final Duration OUTAGE = Duration.ofSeconds(25);
    /** Bytes each request downloads. */
    static final int BODY = 64 * 1024;

    static final Path PG_DIR;
    static final int PG_PORT;
    static volatile EmbeddedPostgres postgres;

    static {
        try {
            PG_DIR = Files.createTempDirectory("iploop-it-outage-pg-");
            try (ServerSocket s = new ServerSocket(0)) {
                PG_PORT = s.getLocalPort();
            }
            postgres = startPostgres();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EmbeddedPostgres startPostgres() throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(PG_DIR)
                .setCleanDataDirectory(false)
                .setPort(PG_PORT)
                .setServerConfig("listen_addresses", "localhost")
                .start();
    }

    static String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + PG_PORT + "/postgres";
    }

    @DynamicPropertySource
    static void externalDatabase(DynamicPropertyRegistry r) throws IOException {
        SharedPlatform.embeddedServer(r, Files.createTempDirectory("iploop-it-outage-"));
        r.add("iploop.db.url", DatabaseOutageIT::jdbcUrl);
        r.add("iploop.db.user", () -> "postgres");
        r.add("iploop.db.password", () -> "postgres");
        r.add("iploop.demo-customer", () -> "false");
    }

    /**
     * Stops this class's PostgreSQL after its platform: ordered before
     * {@code DirtiesContextTestExecutionListener} (3000), so its {@code afterTestClass} runs after
     * that listener closed the context. The other way round (an {@code @AfterAll}, the context left
     * to the JVM's exit) the platform closed with its database gone: its jobs and the gateway's last
     * usage flush waited for a connection until Surefire killed the fork 30 s after
     * {@code System.exit}, and the contexts not yet closed left their embedded PostgreSQL running.
     */
    static final class StopPostgresAfterThePlatform implements TestExecutionListener, Ordered {

        @Override
        public int getOrder() {
            return 0;
        }

        @Override
        public void afterTestClass(TestContext testContext) throws IOException {
            postgres.close();
        }
    }

    @Autowired
    DataPlane dataPlane;

    /** Bytes the client sent and received, counted on its socket. */
    long sent;
    long received;
    int requests;
    int failures;

    @Test
    void usageCarriedWhileTheDatabaseIsDownIsStoredExactlyOnceWhenItIsBack() throws Exception {
        JsonNode customer = registerUnlimitedCustomer();
        UUID userId = UUID.fromString(customer.at("/user/id").asString());
        String customerId = customer.at("/user/customerId").asString();
        String key = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "outage")).body().get("key").asString();
        int proxyPort = dataPlane.ports().orElseThrow().httpProxy();

        try (TestOrigin origin = TestOrigin.http()) {
            // Warm up: the customer is authenticated and their limits are cached.
            await().atMost(Duration.ofSeconds(30)).until(() -> request(proxyPort, customerId, key, origin.port()));
            failures = 0; // (a refusal before the local node connected is still metered, and counted above)
            for (int i = 0; i < 5; i++) {
                assertThat(request(proxyPort, customerId, key, origin.port())).isTrue();
            }

            postgres.close();
            assertThat(databaseAnswers()).as("PostgreSQL is stopped").isFalse();
            int before = requests;
            long end = System.nanoTime() + OUTAGE.toNanos();
            while (System.nanoTime() < end) {
                request(proxyPort, customerId, key, origin.port());
                Thread.sleep(50);
            }
            int duringOutage = requests - before;
            postgres = startPostgres();

            for (int i = 0; i < 5; i++) {
                request(proxyPort, customerId, key, origin.port());
            }
            assertThat(duringOutage).as("requests served while the database was down").isGreaterThan(10);
            assertThat(failures).as("failed requests (the customer was served from the caches)").isZero();
        }

        long expectedUp = sent;
        long expectedDown = received;
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(storedBytes(userId)).isEqualTo(new long[] {expectedUp, expectedDown}));
        // Nothing arrives later (no record written twice or replayed again).
        Thread.sleep(3000);
        assertThat(storedBytes(userId)).isEqualTo(new long[] {expectedUp, expectedDown});
    }

    /** One CONNECT tunnel with one GET; true if the whole body came back. Counts the bytes, also of failures. */
    boolean request(int proxyPort, String customerId, String key, int originPort) {
        requests++;
        CountingConnectClient.Exchange e = CountingConnectClient.exchange(proxyPort, customerId, key, originPort, BODY);
        sent += e.sent();
        received += e.received();
        if (!e.ok()) {
            failures++;
        }
        return e.ok();
    }

    static boolean databaseAnswers() {
        try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", "postgres")) {
            return c.isValid(2);
        } catch (Exception e) {
            return false;
        }
    }

    /** {bytes uploaded, bytes downloaded} stored for the customer. */
    static long[] storedBytes(UUID userId) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", "postgres");
                PreparedStatement ps = c.prepareStatement("""
                        SELECT COALESCE(sum(bytes_uploaded), 0), COALESCE(sum(bytes_downloaded), 0)
                        FROM usage_records WHERE user_id = ?""")) {
            ps.setObject(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }
}
