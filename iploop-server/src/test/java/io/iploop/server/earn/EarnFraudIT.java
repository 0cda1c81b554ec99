package io.iploop.server.earn;

import static io.iploop.server.testing.Api.*;
import static io.iploop.server.testing.Mailbox.*;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import static io.iploop.server.testing.CashoutFixtures.*;
import io.iploop.server.testing.CashoutFixtures.Operator;
import io.iploop.server.testing.PayPalStub;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.web.server.LocalServerPort;
import io.iploop.server.ledger.LedgerService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.tunnel.TunnelSettings;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Nobody mints earnings (docs/earn-fraud.md), with real agents, the real gateway and PostgreSQL: an
 * operator runs three agents behind one address (loopback) that claim a rare country (TV), and
 * sends traffic through them from their own account and from an account linked to theirs by a
 * verified payment method; neither earns anything. A paying stranger's traffic earns the base rate
 * with every multiplier at 1.0: the three agents are one device for the multi-device bonus, and the
 * claimed country is no evidence without a GeoIP database (none in tests).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@PlatformTest
@ExtendWith(PayPalStub.class)
class EarnFraudIT {
    @LocalServerPort
    int port;

    @Autowired
    LedgerService ledger;


    private static final int MIB = 1024 * 1024;
    private static final String COUNTRY = "TV";

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JdbcClient jdbc;

    private final List<NodeAgent> agents = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private TestOrigin origin;
    private DataPlane.Ports ports;
    private String admin;
    private JsonNode owner;
    private final Map<String, Long> carriedForStranger = new HashMap<>();

    @BeforeAll
    void enroll() throws Exception {
        origin = TestOrigin.http();
        ports = dataPlane.ports().orElseThrow();
        admin = adminToken();
        owner = registerUnlimitedCustomer();
        String nodeKey = call("POST", "/api/nodes/keys", token(owner), Map.of("name", "one address")).body()
                .get("key").asString();
        for (int i = 1; i <= 3; i++) {
            agents.add(agent(nodeKey, "tv-" + i));
        }
        for (NodeAgent a : agents) {
            await().atMost(Duration.ofSeconds(20)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(call("GET", "/api/earn/multipliers",
                token(owner), null).body().get("sharingDevices").asInt()).isEqualTo(3));
    }

    @AfterAll
    void stop() {
        agents.forEach(NodeAgent::close);
        origin.close();
    }

    private NodeAgent agent(String nodeKey, String name) {
        AgentConfig config = new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey,
                "fraud-" + run + "-" + name, name, COUNTRY, null, null, 0, null, "ethernet", false, true, List.of(),
                List.of(), TunnelSettings.DEFAULTS).withRegistration(URI.create("http://127.0.0.1:" + port), "linux");
        NodeAgent a = new NodeAgent(config);
        a.start();
        return a;
    }

    private UUID id(JsonNode login) {
        return UUID.fromString(login.at("/user/id").asString());
    }

    /** A download through the operator's TV nodes with {@code login}'s credentials; bytes the gateway meters, by node. */
    private Map<String, Long> download(JsonNode login, int times, int bytes) throws Exception {
        String key = call("POST", "/api/proxy/keys", token(login), Map.of("name", "fraud")).body().get("key").asString();
        String user = login.at("/user/customerId").asString();
        Map<String, Long> carried = new HashMap<>();
        for (int i = 0; i < times; i++) {
            Curl.Result r = Curl.run("-x", "http://" + user + ":" + key + "-country-" + COUNTRY + "-debug-1@127.0.0.1:"
                    + ports.httpProxy(), origin.url("/bytes/" + (bytes + i * 111)));
            assertThat(r.status()).as(r.stderr()).isEqualTo(200);
            carried.merge(r.header("X-IPLoop-Node"), r.sizeHeader() + r.sizeDownload() + r.sizeRequest(), Long::sum);
        }
        return carried;
    }

    /** Waits until the contributions of {@code customer} through the operator's nodes add up to {@code bytes}. */
    private void awaitContributions(UUID customer, String payment, long bytes) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(jdbc.sql("""
                        SELECT COALESCE(sum(bytes), 0) FROM bandwidth_contributions
                        WHERE customer_id = ? AND user_id = ? AND payment = ?""")
                .params(customer, id(owner), payment).query(Long.class).single()).isEqualTo(bytes));
    }

    private long balance() {
        return call("GET", "/api/earn/balance", token(owner), null).body().get("credits").asLong();
    }

    private static long total(Map<String, Long> carried) {
        return carried.values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    @Order(1)
    void threeAgentsBehindOneAddressAreOneDeviceAndAClaimedRareCountryWithoutGeoIpIsWorthNothingExtra() {
        JsonNode m = call("GET", "/api/earn/multipliers", token(owner), null).body();
        assertThat(m.get("sharingDevices").asInt()).isEqualTo(3);
        assertThat(m.get("countedDevices").asInt()).as("one address, one device").isEqualTo(1);
        assertThat(m.get("multiDevice").decimalValue()).isEqualByComparingTo("1.0");
        assertThat(m.get("devices")).hasSize(3).allSatisfy(d -> {
            assertThat(d.get("geo").decimalValue()).as(d.toString()).isEqualByComparingTo("1.0");
            assertThat(d.get("total").decimalValue()).as(d.toString()).isEqualByComparingTo("1.0");
        });
        assertThat(m.get("geoNote").asString()).contains("GeoIP");
        JsonNode view = call("GET", "/api/admin/earn/users/" + id(owner), admin, null).body();
        assertThat(view.get("geoNote").asString()).contains("IPLOOP_GEOIP_DB");
    }

    @Test
    @Order(2)
    void selfRoutedTrafficEarnsNothing() throws Exception {
        Map<String, Long> carried = download(owner, 3, 20 * MIB);
        awaitContributions(id(owner), "self", total(carried));
        runJob(admin, "earn-credits");
        assertThat(balance()).isZero();
        assertThat(jdbc.sql("SELECT COALESCE(sum(total_credits), 0) FROM device_earnings WHERE user_id = ?")
                .param(id(owner)).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("SELECT lifetime_bytes FROM earn_operators WHERE user_id = ?").param(id(owner))
                .query(Long.class).single()).as("unpaid bytes do not count towards the tier").isZero();
    }

    @Test
    @Order(3)
    void aLinkedAccountsTrafficEarnsNothing() throws Exception {
        JsonNode linked = registerUnlimitedCustomer();
        // The same PayPal account, verified by both: one person.
        verifiedPayPal(owner, "same-person-" + run + "@example.com");
        verifiedPayPal(linked, "Same-Person-" + run + "@example.com ");
        Map<String, Long> carried = download(linked, 3, 20 * MIB);
        awaitContributions(id(linked), "linked", total(carried));
        runJob(admin, "earn-credits");
        assertThat(balance()).isZero();
    }

    private void verifiedPayPal(JsonNode login, String email) {
        Response saved = call("POST", "/api/earn/payment-methods", token(login), Map.of("method", "paypal",
                "details", Map.of("email", email)));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(201);
        String code = mailedCode(login.at("/user/email").asString(), "Verify your IPLoop payment method", 1);
        assertThat(call("POST", "/api/earn/payment-methods/" + saved.body().get("id").asString() + "/verify",
                token(login), Map.of("code", code)).body().get("verified").asBoolean()).isTrue();
    }

    @Test
    @Order(4)
    void aPayingStrangersTrafficEarnsTheBaseRateWithoutUnprovenMultipliers() throws Exception {
        JsonNode stranger = registerUnlimitedCustomer();
        Map<String, Long> carried = download(stranger, 4, 30 * MIB);
        carriedForStranger.putAll(carried);
        awaitContributions(id(stranger), "paid", total(carried));
        runJob(admin, "earn-credits");
        // Bronze: 100 credits per GB (10^9 bytes), multiplier 1.0, rounded down per device.
        long expected = 0;
        for (long bytes : carried.values()) {
            expected += BigDecimal.valueOf(bytes).multiply(BigDecimal.valueOf(100))
                    .divide(BigDecimal.valueOf(1_000_000_000L), 0, RoundingMode.DOWN).longValueExact();
        }
        assertThat(expected).isGreaterThan(5);
        assertThat(balance()).isEqualTo(expected);
        for (JsonNode e : call("GET", "/api/earn/earnings", token(owner), null).body()) {
            assertThat(e.get("multiplier").decimalValue()).as(e.toString()).isEqualByComparingTo("1.0");
        }
        assertThat(ledger.checkConsistency().consistent()).isTrue();
    }
}
