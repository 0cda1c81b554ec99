package io.iploop.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.iploop.tunnel.TunnelSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's byte reports (docs/operator-transparency.md#agent-byte-reconciliation) against a real
 * HTTP server: cumulative per run and UTC day, split at midnight at the last report, a past day
 * resent until accepted and then dropped, the node key in {@code X-Node-Key}.
 */
class TrafficReporterTest {

    private HttpServer server;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> keys = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(204);

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/earn/devices/traffic-report", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            keys.add(ex.getRequestHeaders().getFirst("X-Node-Key"));
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void reportsCumulativeDailyCountsSplitAtMidnightAndResendsUntilAccepted() {
        AgentConfig config = new AgentConfig(URI.create("ws://127.0.0.1:1/ws"), "ipn_key", "dev-1", null, null, null, null,
                0, null, null, false, false, List.of(), List.of(), TunnelSettings.DEFAULTS)
                .withRegistration(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "linux");
        AtomicLong counter = new AtomicLong();
        TestClock clock = new TestClock(Instant.parse("2026-12-02T23:50:00Z"));
        TrafficReporter reporter = new TrafficReporter(config, counter, clock, Duration.ofHours(1));

        counter.set(100);
        assertThat(reporter.reportNow()).isTrue();
        assertThat(bodies).hasSize(1);
        assertThat(bodies.getFirst()).contains("\"deviceId\":\"dev-1\"", "\"day\":\"2026-12-02\"", "\"bytes\":100");
        assertThat(keys).containsOnly("ipn_key");
        String run = bodies.getFirst().replaceAll(".*\"runId\":\"([^\"]+)\".*", "$1");

        // After midnight: the bytes up to the last report stay on the old day, the rest go to the new one.
        counter.set(250);
        clock.now = Instant.parse("2026-12-03T00:05:00Z");
        status.set(500);
        assertThat(reporter.reportNow()).isFalse();
        assertThat(bodies.subList(1, 3)).containsExactly(
                "{\"deviceId\":\"dev-1\",\"runId\":\"" + run + "\",\"day\":\"2026-12-02\",\"bytes\":100}",
                "{\"deviceId\":\"dev-1\",\"runId\":\"" + run + "\",\"day\":\"2026-12-03\",\"bytes\":150}");

        // Refused by a failing server: the old day is sent again, then dropped once accepted.
        status.set(204);
        counter.set(300);
        assertThat(reporter.reportNow()).isTrue();
        assertThat(bodies.subList(3, 5)).containsExactly(
                "{\"deviceId\":\"dev-1\",\"runId\":\"" + run + "\",\"day\":\"2026-12-02\",\"bytes\":100}",
                "{\"deviceId\":\"dev-1\",\"runId\":\"" + run + "\",\"day\":\"2026-12-03\",\"bytes\":200}");
        counter.set(333);
        reporter.close();
        assertThat(bodies).hasSize(6);
        assertThat(bodies.getLast()).contains("\"day\":\"2026-12-03\"", "\"bytes\":233");
    }
}
