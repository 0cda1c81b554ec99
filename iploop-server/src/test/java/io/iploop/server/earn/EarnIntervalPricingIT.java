package io.iploop.server.earn;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static io.iploop.server.testing.CashoutFixtures.runJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Money follows the bytes (issue 17, docs/product/earn.md#credit-calculation): the multipliers of
 * traffic are those of the interval it was carried in, not those when the credit job runs. Real
 * agents connect to the real gateway through small TCP relays that bind different loopback source
 * addresses (127.0.N.1), so the gateway sees each device on its own /24 and three of them earn the
 * multi-device bonus (docs/earn-fraud.md counts devices by distinct network).
 *
 * <ul>
 *   <li>Three devices share, traffic is carried, one device is paused just before the job: the
 *       credits are those of three sharing devices (×2), as without the pause.</li>
 *   <li>The reverse cannot be gamed: one device carries traffic alone (×1), two more are added just
 *       before the job, and the earlier traffic stays ×1; traffic carried after they joined is a
 *       second interval at ×2.</li>
 * </ul>
 * Credits are 100 per GB of 10^9 bytes (Bronze), computed here from the bytes the gateway metered;
 * the customer is charged the same bytes as bytes / 10^9 GB, so one GB means one thing on both sides.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class EarnIntervalPricingIT {

    private static final int MIB = 1024 * 1024;
    /** Bronze: USD 0.10 per GB of 10^9 bytes = 100 credits. */
    private static final BigDecimal CREDITS_PER_GB = BigDecimal.valueOf(100);
    private static final BigDecimal GB = BigDecimal.valueOf(1_000_000_000L);

    @LocalServerPort
    int port;
    @Autowired
    DataPlane dataPlane;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    LedgerService ledger;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final List<NodeAgent> agents = new ArrayList<>();
    private final List<Relay> relays = new ArrayList<>();
    private TestOrigin origin;
    private DataPlane.Ports ports;
    private String admin;
    private String proxyUser;
    private String proxyKey;
    private UUID customerId;
    @Autowired
    PlansService plans;

    @BeforeAll
    void start() throws IOException {
        origin = TestOrigin.http();
        ports = dataPlane.ports().orElseThrow();
        admin = adminToken();
        JsonNode customer = registerUnlimitedCustomer();
        proxyUser = customer.at("/user/customerId").asString();
        customerId = UUID.fromString(customer.at("/user/id").asString());
        proxyKey = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "interval")).body().get("key").asString();
    }

    @AfterAll
    void stop() {
        agents.forEach(NodeAgent::close);
        relays.forEach(Relay::close);
        origin.close();
    }

    @Test
    void aDevicePausedJustBeforeTheJobDoesNotCutTheBonusOfTrafficCarriedWhileItShared() throws Exception {
        JsonNode operator = registerCustomer();
        String key = nodeKey(operator);
        // "NR" is claimed by this operator's agents only: routing follows the claim (no GeoIP in tests).
        for (int n = 1; n <= 3; n++) {
            agent(key, "nr-" + n, "NR", n);
        }
        awaitCounted(operator, 3);

        BigDecimal usedBefore = plans.current(customerId).orElseThrow().gbUsed();
        Map<String, Long> carried = download("NR", 6, 12 * MIB);
        awaitContributions(operator, total(carried));
        // One GB on both sides (docs/product/README.md#units): the customer is charged these very bytes
        // as bytes / 10^9 GB, and the operator is paid for them per 10^9 bytes (below).
        assertThat(plans.current(customerId).orElseThrow().gbUsed().subtract(usedBefore))
                .isEqualByComparingTo(BigDecimal.valueOf(total(carried)).movePointLeft(9));

        String paused = devices(operator).getFirst().get("id").asString();
        assertThat(call("POST", "/api/earn/devices/" + paused + "/pause", token(operator), null).status()).isEqualTo(200);
        awaitCounted(operator, 2);
        assertThat(call("GET", "/api/earn/multipliers", token(operator), null).body().get("multiDevice").decimalValue())
                .as("now, with two sharing, the bonus is off").isEqualByComparingTo("1.0");

        runJob(admin, "earn-credits");

        long expected = 0;
        for (long bytes : carried.values()) {
            expected += credits(bytes, 2);
        }
        assertThat(expected).isGreaterThan(10);
        assertThat(balance(operator)).as("priced as carried: three sharing devices, ×2").isEqualTo(expected);
        for (JsonNode e : earnings(operator)) {
            assertThat(e.get("deviceMultiplier").decimalValue()).as(e.toString()).isEqualByComparingTo("2");
            assertThat(e.get("countedDevices").asInt()).as(e.toString()).isEqualTo(3);
            assertThat(e.get("bytesPerGb").asLong()).isEqualTo(1_000_000_000L);
        }
        assertThat(ledger.checkConsistency().consistent()).isTrue();
    }

    @Test
    void devicesAddedJustBeforeTheJobDoNotRaiseEarlierTrafficOnlyTheIntervalAfterThem() throws Exception {
        JsonNode operator = registerCustomer();
        String key = nodeKey(operator);
        NodeAgent first = agent(key, "nu-1", "NU", 4);
        awaitCounted(operator, 1);

        Map<String, Long> alone = download("NU", 3, 20 * MIB);
        awaitContributions(operator, total(alone));

        agent(key, "nu-2", "NU", 5);
        agent(key, "nu-3", "NU", 6);
        awaitCounted(operator, 3);
        runJob(admin, "earn-credits");
        long firstNode = credits(alone.values().stream().mapToLong(Long::longValue).sum(), 1);
        assertThat(firstNode).isGreaterThan(5);
        assertThat(balance(operator)).as("traffic carried alone stays ×1").isEqualTo(firstNode);

        // Now three share: one device's traffic before and after the job's cut-off is priced per interval.
        Map<String, Long> together = download("NU", 6, 12 * MIB);
        long before = balance(operator);
        awaitContributions(operator, total(alone) + total(together));
        long expected = 0;
        for (Map.Entry<String, Long> e : together.entrySet()) {
            expected += credits(e.getValue(), 2, carryOf(e.getKey()));
        }
        runJob(admin, "earn-credits");
        assertThat(balance(operator) - before).as("traffic carried while three shared is ×2").isEqualTo(expected);
        List<JsonNode> rows = earnings(operator);
        // Sorted as labelled: newest period end first.
        for (int i = 1; i < rows.size(); i++) {
            assertThat(java.time.Instant.parse(rows.get(i).get("periodEnd").asString()))
                    .isBeforeOrEqualTo(java.time.Instant.parse(rows.get(i - 1).get("periodEnd").asString()));
        }
        // Each row explains itself and the carried fraction passes from one interval to the next.
        assertThat(rows).allSatisfy(e -> assertThat(e.get("carryOut").decimalValue()).isLessThan(BigDecimal.ONE));
        assertThat(rows).anySatisfy(e -> assertThat(e.get("deviceMultiplier").decimalValue()).isEqualByComparingTo("1"))
                .anySatisfy(e -> assertThat(e.get("deviceMultiplier").decimalValue()).isEqualByComparingTo("2"));
        assertThat(first.status().state()).isEqualTo(AgentStatus.State.CONNECTED);
        assertThat(ledger.checkConsistency().consistent()).isTrue();
    }

    // ------------------------------------------------------------------ helpers

    /** floor(bytes / 10^9 × 100 × multiplier) for a device starting with no carried fraction. */
    private static long credits(long bytes, int multiplier) {
        return credits(bytes, multiplier, BigDecimal.ZERO);
    }

    private static long credits(long bytes, int multiplier, BigDecimal carryIn) {
        return BigDecimal.valueOf(bytes).multiply(CREDITS_PER_GB).multiply(BigDecimal.valueOf(multiplier)).divide(GB)
                .add(carryIn).setScale(0, RoundingMode.DOWN).longValueExact();
    }

    /** The fraction the device carried out of its last credited period before this run. */
    private BigDecimal carryOf(String nodeId) {
        return jdbc.sql("SELECT carry FROM earn_device_state WHERE node_id = ?").param(UUID.fromString(nodeId))
                .query(BigDecimal.class).optional().orElse(BigDecimal.ZERO);
    }

    private String nodeKey(JsonNode operator) {
        return call("POST", "/api/nodes/keys", token(operator), Map.of("name", "interval")).body().get("key").asString();
    }

    /** An agent that reaches the node hub from 127.0.{@code net}.1, so the gateway sees it on its own /24. */
    private NodeAgent agent(String nodeKey, String name, String country, int net) throws IOException {
        Relay relay = new Relay(InetAddress.getByName("127.0." + net + ".1"), ports.nodeHub());
        relays.add(relay);
        AgentConfig config = new AgentConfig(URI.create("ws://127.0.0.1:" + relay.port() + "/ws"), nodeKey,
                "interval-" + run + "-" + name, name, country, null, null, 0, null, "ethernet", false, true, List.of(),
                List.of(), TunnelSettings.DEFAULTS).withRegistration(URI.create("http://127.0.0.1:" + port), "linux");
        NodeAgent a = new NodeAgent(config);
        agents.add(a);
        a.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        return a;
    }

    private void awaitCounted(JsonNode operator, int devices) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(call("GET", "/api/earn/multipliers",
                token(operator), null).body().get("countedDevices").asInt()).isEqualTo(devices));
    }

    /** Downloads through nodes claiming {@code country}; bytes the gateway meters, by node id. */
    private Map<String, Long> download(String country, int times, int bytes) throws Exception {
        Map<String, Long> carried = new HashMap<>();
        for (int i = 0; i < times; i++) {
            Curl.Result r = Curl.run("-x", "http://" + proxyUser + ":" + proxyKey + "-country-" + country
                    + "-debug-1@127.0.0.1:" + ports.httpProxy(), origin.url("/bytes/" + (bytes + i * 101)));
            assertThat(r.status()).as(r.stderr()).isEqualTo(200);
            carried.merge(r.header("X-IPLoop-Node"), r.sizeHeader() + r.sizeDownload() + r.sizeRequest(), Long::sum);
        }
        return carried;
    }

    private static long total(Map<String, Long> carried) {
        return carried.values().stream().mapToLong(Long::longValue).sum();
    }

    private void awaitContributions(JsonNode operator, long bytes) {
        UUID owner = UUID.fromString(operator.at("/user/id").asString());
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(jdbc.sql("""
                        SELECT COALESCE(sum(bytes), 0) FROM bandwidth_contributions WHERE user_id = ? AND payment = 'paid'""")
                .param(owner).query(Long.class).single()).isEqualTo(bytes));
    }

    private List<JsonNode> devices(JsonNode operator) {
        Response r = call("GET", "/api/earn/devices", token(operator), null);
        List<JsonNode> out = new ArrayList<>();
        r.body().forEach(out::add);
        return out;
    }

    private List<JsonNode> earnings(JsonNode operator) {
        List<JsonNode> out = new ArrayList<>();
        call("GET", "/api/earn/earnings", token(operator), null).body().forEach(out::add);
        assertThat(out).isNotEmpty();
        return out;
    }

    private long balance(JsonNode operator) {
        return call("GET", "/api/earn/balance", token(operator), null).body().get("credits").asLong();
    }

    /**
     * A TCP relay on 127.0.0.1 whose outgoing connections leave from {@code source}: the node hub
     * sees that address as the agent's. One virtual thread per direction.
     */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

        Relay(InetAddress source, int targetPort) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket in = server.accept();
                        Socket out = new Socket();
                        out.bind(new InetSocketAddress(source, 0));
                        out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
                        sockets.add(in);
                        sockets.add(out);
                        pipe(in, out);
                        pipe(out, in);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private static void pipe(Socket from, Socket to) {
            Thread.ofVirtual().start(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // The other side closed: close both.
                } finally {
                    closeQuietly(from);
                    closeQuietly(to);
                }
            });
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException e) {
                // already closed
            }
            sockets.forEach(Relay::closeQuietly);
        }
    }
}
