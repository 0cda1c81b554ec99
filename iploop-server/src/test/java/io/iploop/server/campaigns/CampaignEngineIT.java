package io.iploop.server.campaigns;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.jobs.JobsService;
import io.iploop.server.testing.Api;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.CampaignSiteStubs;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The visit engine and the live pulse end to end (docs/campaigns.md#engine): the real gateway, two
 * real node agents claiming two countries, a local origin on {@code localhost} verified by file, a
 * funded EUR wallet and a project weighted 70/30 between the countries. The engine job is run until
 * the project completes; the origin must have seen exactly the target number of identified visits,
 * the agents must have carried them about 70/30, the wallet must be charged at the quoted rate, and
 * both live streams must have carried every visit.
 */
@PlatformTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignEngineIT {

    // docs/campaigns.md's acceptance run: 500 visits, 70/30 within a few percent (±6 points is about
    // three standard deviations of a 70 % share over 500 weighted draws).
    private static final int TARGET = 500;
    private static final String BIG = "NZ";
    private static final String SMALL = "IS";

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JobsService jobs;

    @Autowired
    CampaignWalletService wallet;

    private final List<NodeAgent> agents = new ArrayList<>();
    private final List<String> startHits = new CopyOnWriteArrayList<>();
    private final List<String> unidentified = new CopyOnWriteArrayList<>();
    private final List<String> otherHits = new CopyOnWriteArrayList<>();
    private HttpServer origin;

    @BeforeAll
    void start() throws Exception {
        origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        origin.createContext("/", exchange -> {
            String ua = exchange.getRequestHeaders().getFirst("User-Agent");
            String campaign = exchange.getRequestHeaders().getFirst("X-IPLoop-Campaign");
            String path = exchange.getRequestURI().getPath();
            if (ua == null || !ua.contains("IPLoopSynthetic/1.0 (+") || campaign == null) {
                unidentified.add(path + " " + ua + " " + campaign);
            } else if (path.equals("/")) {
                startHits.add(campaign);
            } else {
                otherHits.add(campaign);
            }
            byte[] body = ("<html><body><a href=\"/a\">a</a> <a href='/b?x=1'>b</a>"
                    + " <a href=\"https://ads.example.net/click\">ad</a></body></html>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        origin.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        origin.start();
        JsonNode operator = registerCustomer();
        String nodeKey = call("POST", "/api/nodes/keys", token(operator), Map.of("name", "campaign fleet")).body()
                .get("key").asString();
        agent(nodeKey, "campaign-nz-" + UUID.randomUUID(), BIG);
        agent(nodeKey, "campaign-is-" + UUID.randomUUID(), SMALL);
    }

    private void agent(String nodeKey, String deviceId, String country) {
        DataPlane.Ports ports = dataPlane.ports().orElseThrow();
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey,
                deviceId, deviceId, country, null, null, 0, null, "ethernet", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS));
        a.start();
        agents.add(a);
        await().atMost(Duration.ofSeconds(15)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
    }

    @AfterAll
    void stop() {
        agents.forEach(NodeAgent::close);
        origin.stop(0);
    }

    /** Collects the {@code data:} JSON of an event stream until closed. */
    private static List<JsonNode> listen(String path, String token) {
        return listen(path, "Authorization", "Bearer " + token);
    }

    /** Like {@link #listen(String, String)} with the pages' session cookie instead of a bearer token. */
    private static List<JsonNode> listenAsPage(String path, String token) {
        return listen(path, "Cookie", "IPLOOP_SESSION=" + token);
    }

    private static List<JsonNode> listen(String path, String authHeader, String authValue) {
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Api.port() + path))
                .header(authHeader, authValue).header("Accept", "text/event-stream").GET().build();
        Api.HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> {
            try (Stream<String> lines = r.body()) {
                lines.filter(l -> l.startsWith("data:"))
                        .forEach(l -> events.add(JsonMapper.shared().readTree(l.substring(5).strip())));
            }
        });
        return events;
    }

    @Test
    void aProjectDeliversExactlyItsTargetSplitByWeightPaidAndStreamed() throws Exception {
        JsonNode owner = registerUnlimitedCustomer();
        String ownerToken = token(owner);
        UUID ownerId = UUID.fromString(owner.at("/user/id").asString());
        Response claim = call("POST", "/api/projects/domains", ownerToken, Map.of("domain", "localhost"));
        assertThat(claim.status()).as(claim.toString()).isEqualTo(201);
        CampaignSiteStubs.fileTokens.add(claim.body().get("token").asString());
        Response verified = call("POST", "/api/projects/domains/" + claim.body().get("id").asString() + "/verify",
                ownerToken, null);
        assertThat(verified.status()).as(verified.toString()).isEqualTo(200);
        wallet.credit(ownerId, new BigDecimal("50.00"), "campaign-engine-it:" + ownerId, "test top-up", Map.of());
        BigDecimal rate = CampaignPricing.quote(new BigDecimal("50.00")).rate();

        // An unverified domain is refused, naming the URL.
        Response refused = call("POST", "/api/projects", ownerToken, Map.of("name", "not mine", "settings",
                Map.of("urls", List.of("http://unverified-" + UUID.randomUUID().toString().substring(0, 8) + ".example/"))));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().at("/error/field").asString()).isEqualTo("settings.urls[0]");

        Map<String, Object> settings = Map.of(
                "urls", List.of("http://localhost:" + origin.getAddress().getPort() + "/"),
                "geoTargets", List.of(Map.of("country", BIG, "weight", 70), Map.of("country", SMALL, "weight", 30)),
                "deviceSplit", Map.of("desktop", 60, "mobile", 40),
                "trafficSpeed", 100, "timeOnPage", 0, "bounceRate", 50, "pagesPerVisit", 2);
        Response created = call("POST", "/api/projects", ownerToken, Map.of("name", "engine", "totalTarget", TARGET,
                "dailyLimit", 100000, "status", "paused", "settings", settings));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.body().get("id").asString();

        String stranger = token(registerCustomer());
        assertThat(Api.send("GET", "/api/projects/" + id + "/live-stream", stranger, null, Map.of()).statusCode())
                .isEqualTo(404);
        assertThat(Api.send("GET", "/api/admin/live-stream", ownerToken, null, Map.of()).statusCode()).isEqualTo(403);

        List<JsonNode> adminEvents = listen("/api/admin/live-stream", adminToken());
        List<JsonNode> ownerEvents = listen("/api/projects/" + id + "/live-stream", ownerToken);
        String admin = adminToken();
        List<JsonNode> ownerPageEvents = listenAsPage("/campaigns/live-stream", ownerToken);
        List<JsonNode> adminPageEvents = listenAsPage("/admin/live-stream", admin);
        List<JsonNode> strangerPageEvents = listenAsPage("/campaigns/live-stream", stranger);
        assertThat(Api.send("GET", "/campaigns", null, null, Map.of("Cookie", "IPLOOP_SESSION=" + ownerToken)).body())
                .contains("data-live-stream=\"/campaigns/live-stream\"");
        assertThat(Api.send("GET", "/admin/live", null, null, Map.of("Cookie", "IPLOOP_SESSION=" + admin)).body())
                .contains("data-live-stream=\"/admin/live-stream\"");
        long[] streamsBefore = agents.stream().mapToLong(a -> a.status().streamsServed()).toArray();
        Thread.sleep(500);
        assertThat(call("PUT", "/api/projects/" + id, ownerToken, Map.of("name", "engine", "totalTarget", TARGET,
                "dailyLimit", 100000, "status", "active", "settings", settings)).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(120)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).until(() -> {
            jobs.runNow("campaigns-engine");
            return call("GET", "/api/projects/" + id, ownerToken, null).body().get("status").asString().equals("completed");
        });
        jobs.runNow("campaigns-engine");

        assertThat(unidentified).isEmpty();
        assertThat(startHits).hasSize(TARGET).allMatch(id::equals);
        assertThat(otherHits).allMatch(id::equals).isNotEmpty();
        // A visit keeps one connection to the gateway, so one exit stream carries all of its pages.
        long bigStreams = agents.get(0).status().streamsServed() - streamsBefore[0];
        long smallStreams = agents.get(1).status().streamsServed() - streamsBefore[1];
        assertThat(bigStreams + smallStreams).isEqualTo(TARGET);
        double bigShare = (double) bigStreams / (bigStreams + smallStreams);
        assertThat(bigShare).as("share carried by the %s agent", BIG).isBetween(0.60, 0.80);

        assertThat(wallet.balance(ownerId)).isEqualByComparingTo(
                new BigDecimal("50.00").subtract(CampaignPricing.priceOf(TARGET, rate)));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(ownerEvents).hasSize(TARGET);
            assertThat(adminEvents.stream().filter(e -> e.path("project_id").asString().equals(id))).hasSize(TARGET);
            assertThat(ownerPageEvents).hasSize(TARGET);
            assertThat(adminPageEvents.stream().filter(e -> e.path("project_id").asString().equals(id))).hasSize(TARGET);
        });
        assertThat(strangerPageEvents).isEmpty();
        assertThat(ownerEvents).allSatisfy(e -> {
            assertThat(e.get("type").asString()).isEqualTo("hit");
            assertThat(e.get("url").asString()).startsWith("http://localhost:");
            assertThat(e.get("country").asString()).isIn(BIG, SMALL);
        });
        long bigHits = ownerEvents.stream().filter(e -> e.get("country").asString().equals(BIG)).count();
        assertThat((double) bigHits / TARGET).isBetween(0.64, 0.76);
    }
}
