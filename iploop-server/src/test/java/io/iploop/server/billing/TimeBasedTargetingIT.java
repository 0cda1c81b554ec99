package io.iploop.server.billing;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.ledger.AccountPurpose;
import io.iploop.server.ledger.LedgerService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Time-based targeting paid from prepaid credits (docs/billing.md#time-based-targeting), end to end:
 * a Trial customer (country targeting only) buys credits through the manual provider, then sends
 * city-targeted traffic through the real gateway to a real node agent in Berlin; a session opens,
 * the real charging job deducts ended minutes from {@code CUSTOMER_CREDITS} to the platform's
 * revenue account, and once the credits are gone city targeting answers 402
 * {@code credits_exhausted} while country targeting still answers 200. Elapsed minutes are
 * simulated by moving the session's start back in the database (the job reads the real clock);
 * everything else is the product's own path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@PlatformTest
class TimeBasedTargetingIT {

    @Autowired
    DataPlane dataPlane;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    LedgerService ledger;

    private TestOrigin origin;
    private DataPlane.Ports ports;
    private NodeAgent berlin;

    @BeforeAll
    void start() throws Exception {
        origin = TestOrigin.http();
        ports = dataPlane.ports().orElseThrow();
        JsonNode operator = registerCustomer();
        String nodeKey = call("POST", "/api/nodes/keys", token(operator), Map.of("name", "berlin")).body().get("key").asString();
        berlin = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey,
                "berlin-1", "berlin-1", "DE", null, "Berlin", 0, null, "ethernet", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS));
        berlin.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> berlin.status().state() == AgentStatus.State.CONNECTED);
    }

    @AfterAll
    void stop() {
        berlin.close();
        origin.close();
    }

    private record Customer(UUID id, String token, String proxyUser) {}

    private static Customer trialCustomer() {
        JsonNode c = registerCustomer();
        String key = call("POST", "/api/proxy/keys", token(c), Map.of("name", "credits")).body().get("key").asString();
        return new Customer(UUID.fromString(c.at("/user/id").asString()), token(c),
                c.at("/user/customerId").asString() + ":" + key);
    }

    private Curl.Result get(Customer c, String params) throws Exception {
        return Curl.run("-x", "http://" + c.proxyUser() + params + "@127.0.0.1:" + ports.httpProxy(), origin.url("/bytes/100"));
    }

    private BigDecimal credits(UUID userId) {
        return ledger.account(userId, AccountPurpose.CUSTOMER_CREDITS).balance();
    }

    private static void buyAndPay(Customer c, String packageId, String admin) {
        Response r = call("POST", "/api/billing/credits/purchase", c.token(), Map.of("packageId", packageId));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String invoice = r.body().at("/invoice/id").asString();
        assertThat(call("POST", "/api/admin/billing/invoices/" + invoice + "/mark-paid", admin,
                Map.of("paymentReference", "bank " + invoice)).status()).isEqualTo(200);
    }

    private static String runJob(String admin) {
        Response r = call("POST", "/api/admin/jobs/billing-feature-sessions/run", admin, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body().toString();
    }

    /** Pretends the session started {@code minutes} earlier (the charging job reads the real clock). */
    private void age(UUID sessionId, int minutes) {
        jdbc.sql("UPDATE billing_feature_sessions SET started_at = started_at - make_interval(mins => :m) WHERE id = :id")
                .param("m", minutes).param("id", sessionId).update();
    }

    @Test
    void cityTargetingBeyondThePlanIsChargedPerMinuteUntilTheCreditsRunOut() throws Exception {
        Customer c = trialCustomer();
        String admin = adminToken();
        assertThat(get(c, "-country-de").status()).isEqualTo(200);

        // Without credits, targeting beyond the plan is what it always was: 403.
        Curl.Result noCredits = get(c, "-country-de-city-berlin");
        assertThat(noCredits.status()).isEqualTo(403);
        assertThat(noCredits.header("X-IPLoop-Error")).isEqualTo("targeting_not_in_plan");

        // A GB package is not a credit package: 400 naming the field.
        Response gb = call("POST", "/api/billing/credits/purchase", c.token(), Map.of("packageId", "gb-5"));
        assertThat(gb.status()).isEqualTo(400);
        assertThat(gb.body().at("/error/field").asString()).isEqualTo("packageId");
        assertThat(call("GET", "/api/credits/packages", c.token(), null).body().at("/packages").toString())
                .contains("credits-5", "credits-100").doesNotContain("gb-5");

        buyAndPay(c, "credits-5", admin);
        assertThat(credits(c.id())).isEqualByComparingTo("5");

        // The gateway learns of the credits with its next limits refresh (2 s), not per request.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(600))
                .until(() -> get(c, "-country-de-city-berlin").status() == 200);
        Thread.sleep(1100); // the Trial plan's 2 requests per second, refilled
        Curl.Result city = get(c, "-country-de-city-berlin");
        assertThat(city.status()).isEqualTo(200);
        assertThat(city.sizeDownload()).isEqualTo(100);

        // The gateway reports the use with a refresh; a session at the city rate opens.
        JsonNode open = await().atMost(Duration.ofSeconds(10)).until(
                () -> call("GET", "/api/proxy/feature-sessions", c.token(), null).body().at("/open"),
                o -> o.size() == 1);
        UUID sessionId = UUID.fromString(open.at("/0/id").asString());
        assertThat(open.at("/0/feature").asString()).isEqualTo("city");
        assertThat(open.at("/0/ratePerHour").decimalValue()).isEqualByComparingTo("0.75");
        JsonNode balance = call("GET", "/api/credits/balance", c.token(), null).body();
        assertThat(balance.at("/balanceUsd").decimalValue()).isEqualByComparingTo("5");
        assertThat(balance.at("/openSessions/0/id").asString()).isEqualTo(sessionId.toString());
        assertThat(balance.at("/hoursLeft/city").decimalValue()).isGreaterThan(new BigDecimal("6.6"));

        // Three minutes have ended: one posting of 3 x 0.75/60 = USD 0.0375, once.
        age(sessionId, 3);
        runJob(admin);
        runJob(admin);
        assertThat(credits(c.id())).isEqualByComparingTo("4.9625");
        List<BigDecimal> postings = jdbc.sql("""
                        SELECT e.amount FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
                        JOIN ledger_accounts a ON a.id = e.account_id
                        WHERE t.idempotency_key = :key AND a.purpose = 'CUSTOMER_CREDITS'""")
                .param("key", "feature-session:" + sessionId + ":0").query(BigDecimal.class).list();
        assertThat(postings).singleElement().satisfies(a -> assertThat(a).isEqualByComparingTo("-0.0375"));
        JsonNode charged = call("GET", "/api/proxy/feature-sessions", c.token(), null).body().at("/open/0");
        assertThat(charged.at("/minutesCharged").asLong()).isEqualTo(3);
        assertThat(charged.at("/chargedUsd").decimalValue()).isEqualByComparingTo("0.0375");
        assertThat(charged.at("/costSoFarUsd").decimalValue()).isGreaterThanOrEqualTo(new BigDecimal("0.0375"));

        // 400 more minutes: the credits cover 397 of them; the balance reaches exactly 0 and the session ends.
        age(sessionId, 400);
        runJob(admin);
        assertThat(credits(c.id())).isZero();
        JsonNode closed = call("GET", "/api/proxy/feature-sessions", c.token(), null).body();
        assertThat(closed.at("/open").size()).isZero();
        assertThat(closed.at("/sessions/0/closeReason").asString()).isEqualTo("credits_exhausted");
        assertThat(closed.at("/sessions/0/minutesCharged").asLong()).isEqualTo(400);
        assertThat(closed.at("/sessions/0/chargedUsd").decimalValue()).isEqualByComparingTo("5");

        // Within a refresh: city targeting is refused with 402, country targeting keeps working on the plan.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(600))
                .until(() -> get(c, "-country-de-city-berlin").status() == 402);
        Thread.sleep(1100); // the Trial plan's 2 requests per second, refilled
        Curl.Result refused = get(c, "-country-de-city-berlin");
        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.header("X-IPLoop-Error")).isEqualTo("credits_exhausted");
        assertThat(refused.bodyText()).contains("city", "/billing");
        Thread.sleep(1100); // the Trial plan's 2 requests per second (429 otherwise), refilled
        assertThat(get(c, "-country-de").status()).isEqualTo(200);

        // Revenue equals what the customer spent, and the ledger is consistent.
        BigDecimal revenue = jdbc.sql("""
                        SELECT COALESCE(sum(e.amount), 0) FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
                        JOIN ledger_accounts a ON a.id = e.account_id
                        WHERE t.metadata->>'featureSessionId' = :s AND a.purpose = 'PREMIUM_TARGETING_REVENUE'""")
                .param("s", sessionId.toString()).query(BigDecimal.class).single();
        assertThat(revenue).isEqualByComparingTo("5");
        JsonNode report = call("GET", "/api/admin/ledger/consistency", admin, null).body();
        assertThat(report.get("consistent").asBoolean()).as(report.toString()).isTrue();
    }
}
