package io.iploop.server.earn;

import static io.iploop.server.testing.Api.HTTP;
import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.earn.EarnService;
import io.iploop.server.jobs.JobsService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The earn side (docs/product/earn.md) end to end: two operators enroll five devices in three countries through the
 * real node agent (which registers each device with the API on start), a customer sends real proxy
 * traffic through them with country targeting, the credit job runs through the admin API, and each
 * operator's credits equal bytes / 10^9 × USD 0.10 × 1000 × multipliers, computed here from what
 * curl counted, to the credit. Then: racing credit runs credit nothing twice, a pause takes effect
 * through the proxy within 5 s, another operator's device is 404, referral bonus and commission
 * amounts, tier upgrades, and the ledger stays consistent.
 *
 * <p>Multipliers in this context are all 1.0 (docs/earn-fraud.md): there is no GeoIP database, so
 * the countries the agents claim earn no geography multiplier, and every agent connects from
 * loopback, so A's three devices count as one for the multi-device bonus. EarnFraudIT covers that.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@PlatformTest
class EarnIT {

    @LocalServerPort
    int port;
    @Autowired
    JsonMapper json;

    private static final int MIB = 1024 * 1024;
    private static final BigDecimal GB = BigDecimal.valueOf(1_000_000_000L);
    /** Bronze: USD 0.10 per GB = 100 credits per GB. */
    private static final BigDecimal BRONZE_CREDITS_PER_GB = BigDecimal.valueOf(100);

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JobsService jobs;

    @Autowired
    EarnService earn;

    @Autowired
    JdbcClient jdbc;

    private final List<NodeAgent> agents = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private TestOrigin origin;
    private DataPlane.Ports ports;
    private String operatorA;
    private UUID userA;
    private String operatorB;
    private String nodeKeyB;
    private String proxyUser;
    private String proxyKey;
    private String admin;
    /** Bytes each node carried according to curl, by node id. */
    private final Map<String, Long> carried = new HashMap<>();
    /** Node id to the multiplier the test expects. */
    private final Map<String, BigDecimal> expectedMultiplier = new HashMap<>();

    @BeforeAll
    void enroll() throws Exception {
        origin = TestOrigin.http();
        ports = dataPlane.ports().orElseThrow();
        admin = adminToken();
        JsonNode registeredA = registerCustomer();
        operatorA = token(registeredA);
        userA = UUID.fromString(registeredA.at("/user/id").asString());
        operatorB = token(registerCustomer());
        String keyA = call("POST", "/api/nodes/keys", operatorA, Map.of("name", "fleet A")).body().get("key").asString();
        nodeKeyB = call("POST", "/api/nodes/keys", operatorB, Map.of("name", "fleet B")).body().get("key").asString();
        agents.add(agent(keyA, "a-pl-1", "PL", "docker"));
        agents.add(agent(keyA, "a-pl-2", "PL", "linux"));
        agents.add(agent(keyA, "a-is-1", "IS", "windows"));
        agents.add(agent(nodeKeyB, "b-ng-1", "NG", "android"));
        agents.add(agent(nodeKeyB, "b-ng-2", "NG", "macos"));
        for (NodeAgent a : agents) {
            await().atMost(Duration.ofSeconds(20)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        }
        // The agents registered themselves (install method, version) and are online.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(devices(operatorA)).hasSize(3).allSatisfy(d -> {
                assertThat(d.get("status").asString()).isEqualTo("online");
                assertThat(d.get("installMethod").isNull()).isFalse();
            });
            assertThat(devices(operatorB)).hasSize(2).allSatisfy(d -> assertThat(d.get("status").asString()).isEqualTo("online"));
        });
        JsonNode customer = registerUnlimitedCustomer();
        proxyUser = customer.at("/user/customerId").asString();
        proxyKey = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "earn")).body().get("key").asString();
    }

    @AfterAll
    void stop() {
        agents.forEach(NodeAgent::close);
        origin.close();
    }

    private NodeAgent agent(String nodeKey, String name, String country, String installMethod) {
        String deviceId = "earn-" + run + "-" + name;
        AgentConfig config = new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey, deviceId,
                name, country, null, null, 0, null, "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS)
                .withRegistration(URI.create("http://127.0.0.1:" + port), installMethod);
        NodeAgent a = new NodeAgent(config);
        a.start();
        return a;
    }

    private List<JsonNode> devices(String token) {
        Response r = call("GET", "/api/earn/devices", token, null);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        r.body().forEach(out::add);
        return out;
    }

    private JsonNode device(String token, String name) {
        return devices(token).stream().filter(d -> name.equals(d.get("name").asString())).findFirst().orElseThrow();
    }

    /** One proxied download through {@code country}; records the bytes curl counted against the exit node. */
    private String download(String country, int bytes) throws Exception {
        Curl.Result r = Curl.run("-x", "http://" + proxyUser + ":" + proxyKey + "-country-" + country + "-debug-1@127.0.0.1:"
                + ports.httpProxy(), origin.url("/bytes/" + bytes));
        assertThat(r.status()).as(r.stderr()).isEqualTo(200);
        assertThat(r.sizeDownload()).isEqualTo(bytes);
        String node = r.header("X-IPLoop-Node");
        // What the gateway meters at the customer socket: response headers and body down, request up.
        carried.merge(node, r.sizeHeader() + r.sizeDownload() + r.sizeRequest(), Long::sum);
        return node;
    }

    private long balance(String token) {
        return call("GET", "/api/earn/balance", token, null).body().get("credits").asLong();
    }

    /** Waits until the earn API shows every byte curl counted, per device. */
    private void awaitContributions(String token) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (JsonNode d : devices(token)) {
                assertThat(d.get("bytesTotal").asLong()).as(d.get("name").asString())
                        .isEqualTo(carried.getOrDefault(d.get("id").asString(), 0L));
            }
        });
    }

    /** The credits the test expects for all bytes a node carried: floor(bytes / 10^9 × 100 × multiplier). */
    private long expectedCredits(String nodeId) {
        return BigDecimal.valueOf(carried.getOrDefault(nodeId, 0L)).multiply(BRONZE_CREDITS_PER_GB)
                .multiply(expectedMultiplier.get(nodeId)).divide(GB, 0, RoundingMode.DOWN).longValueExact();
    }

    private long expectedCredits(String token, List<String> names) {
        long sum = 0;
        for (String name : names) {
            sum += expectedCredits(device(token, name).get("id").asString());
        }
        return sum;
    }

    private JsonNode runCreditJob() {
        Response r = call("POST", "/api/admin/jobs/earn-credits/run", admin, null);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        assertThat(r.body().get("executed").asBoolean()).isTrue();
        return r.body();
    }

    @Test
    @Order(1)
    void twoOperatorsAreCreditedExactlyForTheBytesTheirDevicesCarried() throws Exception {
        expectedMultiplier.put(device(operatorA, "a-pl-1").get("id").asString(), BigDecimal.ONE);
        expectedMultiplier.put(device(operatorA, "a-pl-2").get("id").asString(), BigDecimal.ONE);
        expectedMultiplier.put(device(operatorA, "a-is-1").get("id").asString(), BigDecimal.ONE);
        expectedMultiplier.put(device(operatorB, "b-ng-1").get("id").asString(), BigDecimal.ONE);
        expectedMultiplier.put(device(operatorB, "b-ng-2").get("id").asString(), BigDecimal.ONE);
        assertThat(device(operatorA, "a-pl-1").get("installMethod").asString()).isEqualTo("docker");
        assertThat(device(operatorB, "b-ng-1").get("installMethod").asString()).isEqualTo("android");

        JsonNode multipliers = call("GET", "/api/earn/multipliers", operatorA, null).body();
        assertThat(multipliers.get("sharingDevices").asInt()).isEqualTo(3);
        assertThat(multipliers.get("countedDevices").asInt()).as("all on one address").isEqualTo(1);
        assertThat(multipliers.get("multiDevice").decimalValue()).isEqualByComparingTo("1.0");
        for (JsonNode d : multipliers.get("devices")) {
            assertThat(d.get("total").decimalValue()).as(d.toString())
                    .isEqualByComparingTo(expectedMultiplier.get(d.get("deviceId").asString()));
        }

        Set<String> plNodes = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            plNodes.add(download("PL", 12 * MIB + i * 1000));
        }
        assertThat(plNodes).hasSize(2);
        download("IS", 16 * MIB);
        download("IS", 5 * MIB + 17);
        for (int i = 0; i < 4; i++) {
            download("NG", 9 * MIB + i * 333);
        }
        awaitContributions(operatorA);
        awaitContributions(operatorB);
        long beforeA = balance(operatorA);
        long beforeB = balance(operatorB);
        assertThat(beforeA).isZero();
        assertThat(beforeB).isZero();

        JsonNode job = runCreditJob();
        assertThat(job.get("summary").asString()).contains("credited");

        long expectedA = expectedCredits(operatorA, List.of("a-pl-1", "a-pl-2", "a-is-1"));
        long expectedB = expectedCredits(operatorB, List.of("b-ng-1", "b-ng-2"));
        assertThat(expectedA).isGreaterThan(5);
        assertThat(expectedB).isPositive();
        assertThat(balance(operatorA)).isEqualTo(expectedA);
        assertThat(balance(operatorB)).isEqualTo(expectedB);

        // Per device: the earnings rows explain each total; the devices page shows it.
        JsonNode earnings = call("GET", "/api/earn/earnings", operatorA, null).body();
        assertThat(earnings).hasSize(3);
        for (JsonNode e : earnings) {
            String node = e.get("deviceId").asString();
            assertThat(e.get("bytes").asLong()).isEqualTo(carried.get(node));
            assertThat(e.get("multiplier").decimalValue()).isEqualByComparingTo(expectedMultiplier.get(node));
            assertThat(e.get("totalCredits").asLong()).isEqualTo(expectedCredits(node));
            assertThat(e.get("tier").asString()).isEqualTo("bronze");
        }
        assertThat(device(operatorA, "a-is-1").get("creditsTotal").asLong())
                .isEqualTo(expectedCredits(device(operatorA, "a-is-1").get("id").asString()));

        // The history is the ledger's: one EARN_CREDIT per device, newest first.
        JsonNode history = call("GET", "/api/earn/history?page=1&limit=10", operatorB, null).body();
        assertThat(history.get("total").asLong()).isEqualTo(2);
        history.get("lines").forEach(l -> assertThat(l.get("kind").asString()).isEqualTo("EARN_CREDIT"));
        assertThat(history.get("lines").get(0).get("balanceAfter").asLong()).isEqualTo(expectedB);

        // The balance view: USD, today, tier progress.
        JsonNode balance = call("GET", "/api/earn/balance", operatorA, null).body();
        assertThat(balance.get("usd").decimalValue()).isEqualByComparingTo(
                BigDecimal.valueOf(expectedA).movePointLeft(3));
        assertThat(balance.at("/today/credits").asLong()).isEqualTo(expectedA);
        assertThat(balance.at("/tier/tier").asString()).isEqualTo("bronze");
        assertThat(balance.at("/tier/nextTier").asString()).isEqualTo("silver");
        assertThat(balance.at("/tier/nextTierGb").decimalValue()).isEqualByComparingTo("50");
        JsonNode stats = call("GET", "/api/earn/stats?period=7d", operatorA, null).body();
        assertThat(stats.get("days")).hasSize(7);
        assertThat(stats.get("totalCredits").asLong()).isEqualTo(expectedA);
        assertThat(stats.get("totalBytes").asLong()).isEqualTo(
                devices(operatorA).stream().mapToLong(d -> carried.getOrDefault(d.get("id").asString(), 0L)).sum());
        assertThat(call("GET", "/api/earn/stats?period=2w", operatorA, null).body().at("/error/field").asString())
                .isEqualTo("period");

        // CSV export: one line per device-period after the header.
        var csv = HTTP.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/earn/earnings?format=csv")).header("Authorization", "Bearer " + operatorA).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isEqualTo(200);
        List<String> lines = csv.body().lines().toList();
        assertThat(lines.getFirst()).startsWith("date,period_start,period_end,device_id,device,gb_shared");
        assertThat(lines).hasSize(4);

        // Running again credits nothing more.
        runCreditJob();
        assertThat(balance(operatorA)).isEqualTo(expectedA);
        assertThat(balance(operatorB)).isEqualTo(expectedB);

        // Admin view of the operator.
        JsonNode view = call("GET", "/api/admin/earn/users/" + userA, admin, null).body();
        assertThat(view.at("/balance/credits").asLong()).isEqualTo(expectedA);
        assertThat(view.get("devices")).hasSize(3);
        assertThat(view.get("recentEarnings")).hasSize(3);
        assertThat(call("GET", "/api/admin/earn/users/" + userA, operatorA, null).status()).isEqualTo(403);
        assertThat(call("GET", "/api/admin/earn/users/" + UUID.randomUUID(), admin, null).status()).isEqualTo(404);
        assertConsistent();
    }

    @Test
    @Order(2)
    void racingCreditRunsCreditEveryContributionOnce() throws Exception {
        for (int i = 0; i < 4; i++) {
            download("NG", 7 * MIB + i * 101);
        }
        awaitContributions(operatorB);

        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Object>> racers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            racers.add(() -> {
                start.await();
                return jobs.runNow("earn-credits");
            });
            racers.add(() -> {
                start.await();
                return earn.creditUpTo(Instant.now());
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(racers.size());
        try {
            List<Future<Object>> results = new ArrayList<>();
            for (Callable<Object> r : racers) {
                results.add(pool.submit(r));
            }
            start.countDown();
            for (Future<Object> f : results) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // Exact over both periods: what each device carried in total, rounded down once.
        long expectedB = expectedCredits(operatorB, List.of("b-ng-1", "b-ng-2"));
        assertThat(balance(operatorB)).isEqualTo(expectedB);
        for (String name : List.of("b-ng-1", "b-ng-2")) {
            String node = device(operatorB, name).get("id").asString();
            assertThat(jdbc.sql("SELECT count(*) FROM bandwidth_contributions WHERE node_id = ?::uuid AND earning_id IS NULL")
                    .param(node).query(Long.class).single()).isZero();
            // One period from the first test, one from the race: never two for the same contributions.
            assertThat(jdbc.sql("SELECT count(*) FROM device_earnings WHERE node_id = ?::uuid").param(node)
                    .query(Long.class).single()).isEqualTo(2);
            assertThat(jdbc.sql("SELECT sum(bytes_shared) FROM device_earnings WHERE node_id = ?::uuid").param(node)
                    .query(Long.class).single()).isEqualTo(carried.get(node));
        }
        assertConsistent();
    }

    @Test
    @Order(3)
    void aPausedDeviceGetsNoProxyTrafficWithinFiveSeconds() throws Exception {
        String paused = device(operatorA, "a-pl-1").get("id").asString();
        String other = device(operatorA, "a-pl-2").get("id").asString();
        Response r = call("POST", "/api/earn/devices/" + paused + "/pause", operatorA, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().get("status").asString()).isEqualTo("paused");
        long pausedAt = System.nanoTime();

        // Within 5 s the gateway stops choosing it; from then on every PL request goes to the other.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> probe("PL").equals(other) && probe("PL").equals(other));
        assertThat(Duration.ofNanos(System.nanoTime() - pausedAt)).isLessThan(Duration.ofSeconds(5));
        for (int i = 0; i < 6; i++) {
            assertThat(probe("PL")).isEqualTo(other);
        }
        assertThat(device(operatorA, "a-pl-1").get("status").asString()).isEqualTo("paused");
        assertThat(call("GET", "/api/earn/multipliers", operatorA, null).body().get("sharingDevices").asInt()).isEqualTo(2);

        assertThat(call("POST", "/api/earn/devices/" + paused + "/resume", operatorA, null).body().get("status").asString())
                .isEqualTo("online");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> probe("PL").equals(paused));
    }

    /** The exit node of one tiny PL request (not counted towards the earnings expectations). */
    private String probe(String country) throws Exception {
        Curl.Result r = Curl.run("-x", "http://" + proxyUser + ":" + proxyKey + "-country-" + country + "-debug-1@127.0.0.1:"
                + ports.httpProxy(), origin.url("/bytes/10"));
        String node = r.header("X-IPLoop-Node");
        carried.merge(node, r.sizeHeader() + r.sizeDownload() + r.sizeRequest(), Long::sum);
        return node;
    }

    @Test
    @Order(4)
    void anotherOperatorsDeviceIsNotFoundAndStaysUnchanged() {
        JsonNode target = device(operatorA, "a-is-1");
        String id = target.get("id").asString();
        for (String[] attempt : new String[][] {{"POST", "/pause"}, {"POST", "/resume"}, {"DELETE", ""}}) {
            Response r = call(attempt[0], "/api/earn/devices/" + id + attempt[1], operatorB, null);
            assertThat(r.status()).as(attempt[0] + attempt[1]).isEqualTo(404);
            assertThat(r.body().at("/error/code").asString()).isEqualTo("device_not_found");
        }
        assertThat(call("PATCH", "/api/earn/devices/" + id, operatorB, Map.of("name", "mine now")).status()).isEqualTo(404);
        assertThat(call("POST", "/api/earn/devices/" + UUID.randomUUID() + "/pause", operatorA, null).status()).isEqualTo(404);
        JsonNode after = device(operatorA, "a-is-1");
        assertThat(after.get("status").asString()).isEqualTo("online");
        assertThat(after.get("name").asString()).isEqualTo("a-is-1");
        assertThat(devices(operatorB)).extracting(d -> d.get("id").asString()).doesNotContain(id);

        // The agent endpoint refuses another operator's device id and a wrong key.
        Response taken = callWithNodeKey(nodeKeyB, Map.of("deviceId", target.get("deviceId").asString(),
                "installMethod", "linux"));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(callWithNodeKey("ipn_" + "0".repeat(48), Map.of("deviceId", "x", "installMethod", "linux")).status())
                .isEqualTo(401);
        Response badMethod = callWithNodeKey(nodeKeyB, Map.of("deviceId", "earn-" + run + "-new", "installMethod", "toaster"));
        assertThat(badMethod.status()).isEqualTo(400);
        assertThat(badMethod.body().at("/error/field").asString()).isEqualTo("installMethod");

        // Rename and remove work on one's own device.
        String mine = device(operatorB, "b-ng-2").get("id").asString();
        assertThat(call("PATCH", "/api/earn/devices/" + mine, operatorB, Map.of("name", " ")).status()).isEqualTo(400);
        assertThat(call("PATCH", "/api/earn/devices/" + mine, operatorB, Map.of("name", "attic pi")).body()
                .get("name").asString()).isEqualTo("attic pi");
        assertThat(device(operatorB, "attic pi").get("id").asString()).isEqualTo(mine);
    }

    private Response callWithNodeKey(String nodeKey, Map<String, String> body) {
        try {
            var res = HTTP.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/api/earn/devices/register")).header("X-Node-Key", nodeKey)
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Response(res.statusCode(), json.readTree(res.body()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(5)
    void aReferredOperatorGetsTheBonusAndTheReferrerTenPercentForLife() {
        JsonNode referrer = registerCustomer();
        String referrerToken = token(referrer);
        JsonNode code = call("GET", "/api/earn/referral/code", referrerToken, null).body();
        assertThat(code.get("link").asString()).isEqualTo("http://dashboard.test/register?ref=" + code.get("code").asString());

        Response unknown = call("POST", "/api/auth/register?ref=NOSUCHCODE", null, Map.of("acceptTerms", true, "email",
                "r-" + UUID.randomUUID() + "@example.com", "password", "correct horse", "firstName", "No", "lastName", "Body"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().at("/error/field").asString()).isEqualTo("ref");

        String email = "referee-" + UUID.randomUUID() + "@example.com";
        Response joined = call("POST", "/api/auth/register?ref=" + code.get("code").asString().toLowerCase(), null,
                Map.of("acceptTerms", true, "email", email, "password", "correct horse", "firstName", "Jane", "lastName", "Doe"));
        assertThat(joined.status()).isEqualTo(201);
        String referee = token(joined.body());
        UUID refereeId = UUID.fromString(joined.body().at("/user/id").asString());
        // Nothing is paid before the referee has carried 2 GB of paid traffic (docs/earn-fraud.md).
        assertThat(balance(referee)).isZero();

        // The referee's device (registered by its agent, offline: no multipliers) carries two batches.
        String nodeKey = call("POST", "/api/nodes/keys", referee, Map.of("name", "r")).body().get("key").asString();
        Response registered = callWithNodeKey(nodeKey, Map.of("deviceId", "earn-" + run + "-referee", "installMethod", "linux"));
        assertThat(registered.status()).as(registered.body().toString()).isEqualTo(200);
        UUID node = UUID.fromString(registered.body().get("id").asString());
        long first = 7_777_777_777L;
        long second = 3_333_333_333L;
        contribute(node, refereeId, first);
        earn.creditUpTo(Instant.now());
        contribute(node, refereeId, second);
        earn.creditUpTo(Instant.now());

        // Referee: floor((first + second) / 10^9 × 100) over both periods, thanks to the carry.
        long refereeCredits = BigDecimal.valueOf(first + second).multiply(BRONZE_CREDITS_PER_GB)
                .divide(GB, 0, RoundingMode.DOWN).longValueExact();
        assertThat(balance(referee)).isEqualTo(500 + refereeCredits);
        assertThat(call("GET", "/api/earn/history?limit=10", referee, null).body().get("lines").toString())
                .contains("REFERRAL_SIGNUP_BONUS");
        long commission = refereeCredits / 10;
        assertThat(balance(referrerToken)).isEqualTo(commission);
        JsonNode referrerHistory = call("GET", "/api/earn/history", referrerToken, null).body();
        referrerHistory.get("lines").forEach(l -> assertThat(l.get("kind").asString()).isEqualTo("REFERRAL_COMMISSION"));
        assertThat(referrerHistory.get("total").asLong()).isEqualTo(2);

        JsonNode stats = call("GET", "/api/earn/referral/stats", referrerToken, null).body();
        assertThat(stats.get("referredUsers").asLong()).isEqualTo(1);
        assertThat(stats.get("refereeEarnings").asLong()).isEqualTo(refereeCredits);
        assertThat(stats.get("commissionCredits").asLong()).isEqualTo(commission);
        JsonNode list = call("GET", "/api/earn/referral/list", referrerToken, null).body();
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("email").asString()).isEqualTo("r***@example.com");
        assertThat(list.get(0).get("name").asString()).isEqualTo("J*** D***");
        assertThat(list.get(0).get("yourCommission").asLong()).isEqualTo(commission);
        assertThat(list.toString()).doesNotContain(email);
        assertConsistent();
    }

    @Test
    @Order(6)
    void crossingFiftyGbUpgradesTheTierForTheNextPeriodAndNeverDowngrades() {
        JsonNode op = registerCustomer();
        String t = token(op);
        UUID userId = UUID.fromString(op.at("/user/id").asString());
        String nodeKey = call("POST", "/api/nodes/keys", t, Map.of("name", "big")).body().get("key").asString();
        UUID node = UUID.fromString(callWithNodeKey(nodeKey, Map.of("deviceId", "earn-" + run + "-big",
                "installMethod", "docker")).body().get("id").asString());
        long big = 51_000_000_000L;
        contribute(node, userId, big);
        earn.creditUpTo(Instant.now());
        assertThat(balance(t)).isEqualTo(51 * 100);
        JsonNode tier = call("GET", "/api/earn/balance", t, null).body().get("tier");
        assertThat(tier.get("tier").asString()).isEqualTo("silver");
        assertThat(tier.get("creditsPerGb").decimalValue()).isEqualByComparingTo("120");
        assertThat(tier.get("gbToNextTier").decimalValue()).isEqualByComparingTo("449");

        contribute(node, userId, 1_000_000_000L);
        earn.creditUpTo(Instant.now());
        assertThat(balance(t)).isEqualTo(51 * 100 + 120);
        JsonNode latest = call("GET", "/api/earn/earnings?limit=1", t, null).body().get(0);
        assertThat(latest.get("tier").asString()).isEqualTo("silver");
        assertThat(latest.get("ratePerGbUsd").decimalValue()).isEqualByComparingTo("0.12");
        assertConsistent();
    }

    /** What the usage listener writes for a stored batch: here for a device without an agent. */
    private void contribute(UUID node, UUID owner, long bytes) {
        jdbc.sql("INSERT INTO bandwidth_contributions (node_id, user_id, bytes, recorded_at, payment) VALUES (?, ?, ?, now() - interval '1 second', 'paid')")
                .params(node, owner, bytes).update();
    }

    private void assertConsistent() {
        JsonNode report = call("GET", "/api/admin/ledger/consistency", admin, null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }
}
