package io.iploop.server.campaigns.internal;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.campaigns.CampaignPricing;
import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.jobs.JobsService;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.CampaignSiteStubs;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.math.BigDecimal;
import java.net.URI;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The engine's durability and reach (docs/campaigns.md#charging-exactly-once, #engine): a round
 * crashed between sending and charging (and between settling and charging, and between charging
 * and marking) is charged exactly once by the next round; the jobs lock is short and renewed while a
 * long round runs; and {@code https://} start pages are visited through a CONNECT tunnel of the
 * platform's own gateway, identified inside the tunnel. One real node agent in a country of its own
 * carries the visits to local origins on {@code localhost}.
 */
@PlatformTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignEngineRecoveryIT {

    private static final String COUNTRY = "LU";

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JobsService jobs;

    @Autowired
    CampaignWalletService wallet;

    @Autowired
    CampaignEngine engine;

    @Autowired
    JdbcClient jdbc;

    private NodeAgent agent;
    private TestOrigin http;
    private TestOrigin https;

    @BeforeAll
    void start() throws Exception {
        http = TestOrigin.http();
        https = TestOrigin.https();
        JsonNode operator = registerCustomer();
        String nodeKey = call("POST", "/api/nodes/keys", token(operator), Map.of("name", "recovery fleet")).body()
                .get("key").asString();
        DataPlane.Ports ports = dataPlane.ports().orElseThrow();
        String deviceId = "campaign-lu-" + UUID.randomUUID();
        agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey,
                deviceId, deviceId, COUNTRY, null, null, 0, null, "ethernet", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS));
        agent.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
    }

    @AfterEach
    void disarm() {
        engine.faultHook = null;
        engine.sslContext = null;
    }

    @AfterAll
    void stop() {
        agent.close();
        http.close();
        https.close();
    }

    /** A funded owner with {@code localhost} verified by file; returns {token, user id}. */
    private String[] owner(BigDecimal funds) {
        JsonNode owner = registerUnlimitedCustomer();
        String t = token(owner);
        String userId = owner.at("/user/id").asString();
        Response claim = call("POST", "/api/projects/domains", t, Map.of("domain", "localhost"));
        assertThat(claim.status()).as(claim.toString()).isEqualTo(201);
        CampaignSiteStubs.fileTokens.add(claim.body().get("token").asString());
        Response verified = call("POST", "/api/projects/domains/" + claim.body().get("id").asString() + "/verify", t, null);
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        wallet.credit(UUID.fromString(userId), funds, "campaign-recovery-it:" + userId, "test top-up", Map.of());
        return new String[] {t, userId};
    }

    private String project(String ownerToken, String url, int target, int speed, int timeOnPage) {
        Map<String, Object> settings = Map.of("urls", List.of(url),
                "geoTargets", List.of(Map.of("country", COUNTRY, "weight", 1)),
                "trafficSpeed", speed, "timeOnPage", timeOnPage, "bounceRate", 100, "pagesPerVisit", 1);
        Response created = call("POST", "/api/projects", ownerToken, Map.of("name", "recovery", "totalTarget", target,
                "status", "active", "settings", settings));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.body().get("id").asString();
    }

    private void runUntilCompleted(String ownerToken, String id) {
        await().atMost(Duration.ofSeconds(120)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).until(() -> {
            jobs.runNow("campaigns-engine");
            return call("GET", "/api/projects/" + id, ownerToken, null).body().get("status").asString().equals("completed");
        });
        jobs.runNow("campaigns-engine");
    }

    private long hits(TestOrigin origin, String projectId) {
        return origin.requests().stream().filter(r -> projectId.equals(r.headers().getFirst("X-IPLoop-Campaign"))).count();
    }

    private BigDecimal spent(String projectId) {
        return jdbc.sql("""
                SELECT coalesce(sum(e.amount), 0) FROM ledger_transactions t
                JOIN ledger_entries e ON e.transaction_id = t.id
                JOIN ledger_accounts a ON a.id = e.account_id
                WHERE t.kind = 'CAMPAIGN_SPEND' AND t.idempotency_key LIKE :k AND a.purpose = 'CAMPAIGN_REVENUE'""")
                .param("k", "campaign-spend:" + projectId + ":%").query(BigDecimal.class).single();
    }

    @Test
    void aRoundCrashedAtAnyPointBetweenSendingAndChargingIsChargedExactlyOnce() {
        String[] owner = owner(new BigDecimal("50.00"));
        BigDecimal rate = CampaignPricing.quote(new BigDecimal("50.00")).rate();
        String id = project(owner[0], "http://localhost:" + http.port() + "/headers", 40, 20, 0);
        // speed 20 of the cap 50: 10 visits a round. Each crash point fires once.
        Set<CampaignEngine.Stage> armed = EnumSet.allOf(CampaignEngine.Stage.class);
        engine.faultHook = stage -> {
            synchronized (armed) {
                if (armed.remove(stage)) {
                    throw new IllegalStateException("simulated crash at " + stage);
                }
            }
        };

        // Round 1 dies after its visits were sent and counted, before anything was settled or charged.
        jobs.runNow("campaigns-engine");
        assertThat(hits(http, id)).isEqualTo(10);
        assertThat(wallet.balance(UUID.fromString(owner[1]))).isEqualByComparingTo("50.00");
        assertThat(jdbc.sql("SELECT state || ':' || delivered FROM campaign_visit_batches WHERE project_id = :p")
                .param("p", UUID.fromString(id)).query(String.class).list()).containsExactly("sending:10");

        runUntilCompleted(owner[0], id);
        engine.faultHook = null;
        jobs.runNow("campaigns-engine");

        assertThat(armed).as("every crash point was hit").isEmpty();
        long delivered = hits(http, id);
        assertThat(delivered).isEqualTo(40);
        BigDecimal expected = CampaignPricing.priceOf(delivered, rate);
        assertThat(spent(id)).isEqualByComparingTo(expected);
        assertThat(wallet.balance(UUID.fromString(owner[1]))).isEqualByComparingTo(new BigDecimal("50.00").subtract(expected));
        assertThat(jdbc.sql("SELECT coalesce(sum(delivered), 0) FROM campaign_visit_batches WHERE project_id = :p AND state = 'charged'")
                .param("p", UUID.fromString(id)).query(Long.class).single()).isEqualTo(delivered);
        assertThat(jdbc.sql("SELECT count(*) FROM campaign_visit_batches WHERE project_id = :p AND state <> 'charged'")
                .param("p", UUID.fromString(id)).query(Long.class).single()).isZero();
        JsonNode p = call("GET", "/api/projects/" + id, owner[0], null).body();
        assertThat(p.get("visitsTotal").asLong()).isEqualTo(40);
        // Double entry: every campaign transaction of this project balances, and the wallet's balance
        // is its entries' sum.
        assertThat(jdbc.sql("""
                SELECT count(*) FROM (SELECT t.id FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id
                WHERE t.idempotency_key LIKE :k GROUP BY t.id HAVING sum(e.amount) <> 0) unbalanced""")
                .param("k", "campaign-spend:" + id + ":%").query(Long.class).single()).isZero();
        assertThat(jdbc.sql("""
                SELECT a.balance - coalesce((SELECT sum(e.amount) FROM ledger_entries e WHERE e.account_id = a.id), 0)
                FROM ledger_accounts a WHERE a.owner_id = :u AND a.purpose = 'CAMPAIGN_WALLET'""")
                .param("u", UUID.fromString(owner[1])).query(BigDecimal.class).single()).isEqualByComparingTo("0");

        // Finishing the batches again (another instance, a retried round) charges nothing more.
        for (UUID batch : jdbc.sql("SELECT id FROM campaign_visit_batches WHERE project_id = :p")
                .param("p", UUID.fromString(id)).query(UUID.class).list()) {
            engine.settleAndCharge(batch, Instant.now());
        }
        assertThat(spent(id)).isEqualByComparingTo(expected);
    }

    @Test
    void theEngineLockIsShortAndRenewedWhileALongRoundRuns() throws Exception {
        assertThat(engine.lockAtMostFor()).isLessThanOrEqualTo(Duration.ofSeconds(60));
        String[] owner = owner(new BigDecimal("10.00"));
        // One visit that stays 25 s on its page: longer than a third of the lock, so it must be renewed.
        String id = project(owner[0], "http://localhost:" + http.port() + "/headers", 1, 1, 25);
        long renewedBefore = engine.lockExtensions.get();
        Instant started = Instant.now();
        CompletableFuture<?> round = CompletableFuture.runAsync(() -> jobs.runNow("campaigns-engine"));
        await().atMost(Duration.ofSeconds(10)).until(() -> hits(http, id) == 1);
        OffsetDateTime firstUntil = lockUntil();
        assertThat(firstUntil.toInstant()).isBefore(started.plus(engine.lockAtMostFor()).plusSeconds(5));
        await().atMost(Duration.ofSeconds(40)).until(() -> engine.lockExtensions.get() > renewedBefore);
        assertThat(lockUntil()).isAfter(firstUntil);
        round.get();
        assertThat(call("GET", "/api/projects/" + id, owner[0], null).body().get("status").asString())
                .isEqualTo("completed");
        // The round released its lock: the next run is not skipped.
        assertThat(jobs.runNow("campaigns-engine").executed()).isTrue();
    }

    private OffsetDateTime lockUntil() {
        return jdbc.sql("SELECT lock_until FROM shedlock WHERE name = 'campaigns-engine'").query(OffsetDateTime.class)
                .single();
    }

    @Test
    void httpsStartPagesAreVisitedThroughTheGatewayTunnelIdentified() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("origin", https.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        engine.sslContext = tls;

        String[] owner = owner(new BigDecimal("10.00"));
        String id = project(owner[0], "https://localhost:" + https.port() + "/headers", 5, 10, 0);
        runUntilCompleted(owner[0], id);

        List<TestOrigin.Request> seen = https.requests().stream()
                .filter(r -> id.equals(r.headers().getFirst("X-IPLoop-Campaign"))).toList();
        assertThat(seen).hasSize(5).allSatisfy(r -> {
            assertThat(r.headers().getFirst("User-Agent")).contains("IPLoopSynthetic/1.0 (+");
            assertThat(r.headers().containsKey("Proxy-Authorization")).isFalse();
        });
        BigDecimal rate = CampaignPricing.quote(new BigDecimal("10.00")).rate();
        assertThat(wallet.balance(UUID.fromString(owner[1])))
                .isEqualByComparingTo(new BigDecimal("10.00").subtract(CampaignPricing.priceOf(5, rate)));
    }
}
