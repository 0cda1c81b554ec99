package io.iploop.server.dataplane;

import static io.iploop.server.testing.Api.adminToken;
import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerCustomer;
import static io.iploop.server.testing.Api.send;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.plans.PlansService;
import io.iploop.server.platform.WebSessionCookie;
import io.iploop.server.testing.PlatformTest;
import io.iploop.tunnel.TunnelSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Exit quality end to end (docs/exit-quality.md, issue 13's "done when"): three real node agents
 * behind the real gateway of the shared platform, all in one country nobody else uses. One is fast,
 * one is capped at 4 Mbit/s, and one drops every stream: it runs as {@code proxyclaw start} in its
 * own JVM whose resolver ({@code jdk.net.hosts.file}) maps {@code localhost} to 127.0.0.2, where a
 * listener on the origin's port accepts and resets every connection, so its OPENs succeed and the
 * streams then end with an error before a byte came back (cause {@code dropped}). The customer asks
 * for {@code http://localhost:PORT/…}, which the other two agents reach on 127.0.0.1.
 *
 * <p>After the requests, the server's view ({@code /api/nodes}: the score and request counters the
 * gateway reports every 2 s) shows three distinct scores, the dropping node far below, and in the
 * second half of the requests it got less than 15 % of them. Every customer request succeeds, the
 * customer retrying a failed one up to 3 times as proxy customers do (the gateway cannot replay a
 * request whose bytes the exit already took).
 */
@PlatformTest
class ExitQualityIT {

    private static final int REQUESTS_PER_HALF = 120;
    private static final int BODY = 128 * 1024;
    private static final String COUNTRY = "IS";

    @Autowired
    DataPlane dataPlane;

    @Autowired
    PlansService plans;

    @TempDir
    Path home;

    private final List<NodeAgent> agents = new ArrayList<>();
    private TestOrigin origin;
    private ServerSocket resetter;
    private Process dropping;

    @AfterEach
    void stop() throws Exception {
        if (dropping != null) {
            dropping.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        agents.forEach(NodeAgent::close);
        if (resetter != null) {
            resetter.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private URI hub() {
        return URI.create("ws://127.0.0.1:" + dataPlane.ports().orElseThrow().nodeHub() + "/ws");
    }

    private NodeAgent agent(String nodeKey, String deviceId, @Nullable Integer mbps) {
        NodeAgent a = new NodeAgent(new AgentConfig(hub(), nodeKey, deviceId, deviceId, COUNTRY, null, "Reykjavik", 0, null,
                "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
        a.limitBandwidth(mbps);
        agents.add(a);
        a.start();
        return a;
    }

    /** {@code proxyclaw start} in its own JVM (as FrozenAgentIT), resolving names through {@code hosts}. */
    private Process droppingAgent(String nodeKey, String deviceId, Path hosts) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path agentHome = Files.createDirectories(home.resolve("dropping"));
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx64m", "-Djdk.net.hosts.file=" + hosts,
                "-cp", System.getProperty("java.class.path"), "io.iploop.node.cli.ProxyClawCli", "start")
                .redirectErrorStream(true).redirectOutput(home.resolve("dropping-agent.log").toFile());
        pb.environment().put("PROXYCLAW_HOME", agentHome.toString());
        pb.environment().put("PROXYCLAW_GATEWAY", hub().toString());
        pb.environment().put("PROXYCLAW_KEY", nodeKey);
        pb.environment().put("PROXYCLAW_DEVICE_ID", deviceId);
        pb.environment().put("PROXYCLAW_COUNTRY", COUNTRY);
        pb.environment().put("PROXYCLAW_ALLOW_LOOPBACK", "true");
        pb.environment().put("PROXYCLAW_ALLOWED_PORTS", "all");
        return pb.start();
    }

    /** The operator's three nodes as the server sees them, by device id. */
    private static Map<String, JsonNode> nodes(String operator, String prefix) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode n : call("GET", "/api/nodes?search=" + prefix, operator, null).body().get("nodes")) {
            out.put(n.get("deviceId").asString(), n);
        }
        return out;
    }

    private static Map<String, Long> requests(String operator, String prefix) {
        Map<String, Long> out = new HashMap<>();
        nodes(operator, prefix).forEach((id, n) -> out.put(id, n.get("totalRequests").asLong()));
        return out;
    }

    @Test
    void aDroppingExitScoresFarBelowTheOthersGetsFewStreamsAndCustomersStillSucceed() throws Exception {
        origin = TestOrigin.http();
        // Whatever connects to localhost:PORT through the dropping agent is reset at once.
        resetter = new ServerSocket();
        resetter.bind(new InetSocketAddress("127.0.0.2", origin.port()));
        Thread.ofVirtual().start(() -> {
            while (!resetter.isClosed()) {
                try (Socket s = resetter.accept()) {
                    s.setSoLinger(true, 0);
                } catch (IOException e) {
                    // closed: the test is over
                }
            }
        });
        Path hosts = Files.writeString(home.resolve("hosts"), "127.0.0.2 localhost\n");

        String operator = token(registerCustomer());
        String nodeKey = call("POST", "/api/nodes/keys", operator, Map.of("name", "quality")).body().get("key").asString();
        String prefix = "q" + UUID.randomUUID().toString().substring(0, 8);
        String fast = prefix + "-fast";
        String slow = prefix + "-slow";
        String bad = prefix + "-dropping";
        agent(nodeKey, fast, null);
        agent(nodeKey, slow, 4);
        dropping = droppingAgent(nodeKey, bad, hosts);
        for (NodeAgent a : agents) {
            await().atMost(Duration.ofSeconds(15)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> nodes(operator, prefix).values().stream()
                .filter(n -> n.get("online").asBoolean()).count() == 3);

        JsonNode customer = registerCustomer();
        plans.subscribe(UUID.fromString(customer.at("/user/id").asString()), "enterprise");
        String key = call("POST", "/api/proxy/keys", token(customer), Map.of("name", "quality")).body().get("key").asString();
        String auth = "Basic " + Base64.getEncoder().encodeToString((customer.at("/user/customerId").asString() + ":" + key
                + "-country-" + COUNTRY).getBytes(StandardCharsets.UTF_8));
        int proxyPort = dataPlane.ports().orElseThrow().httpProxy();
        String url = "http://localhost:" + origin.port() + "/bytes/" + BODY;

        Map<String, Long> start = requests(operator, prefix);
        Half first = half(proxyPort, auth, url);
        Map<String, Long> middle = settled(operator, prefix, start, first.attempts());
        Half second = half(proxyPort, auth, url);
        Map<String, Long> end = settled(operator, prefix, middle, second.attempts());

        Map<String, JsonNode> seen = nodes(operator, prefix);
        int fastScore = seen.get(fast).get("qualityScore").asInt();
        int slowScore = seen.get(slow).get("qualityScore").asInt();
        int badScore = seen.get(bad).get("qualityScore").asInt();
        long badFirst = middle.get(bad) - start.get(bad);
        long badSecond = end.get(bad) - middle.get(bad);
        double secondShare = badSecond / (double) second.attempts();
        System.out.printf("exit quality: scores fast %d, slow %d, dropping %d; dropping node's streams: first half %d of %d,"
                        + " second half %d of %d (%.1f %%); failed attempts %d then %d; per node first %s, second %s%n",
                fastScore, slowScore, badScore, badFirst, first.attempts(), badSecond, second.attempts(), 100 * secondShare,
                first.failures(), second.failures(), diff(middle, start), diff(end, middle));

        // Every customer request got its bytes.
        assertThat(first.succeeded() + second.succeeded()).isEqualTo(2 * REQUESTS_PER_HALF);
        // Three distinct scores; the dropping exit is poor (< 50), the others are not.
        assertThat(new HashSet<>(List.of(fastScore, slowScore, badScore))).hasSize(3);
        // Under 35: each dropped stream is one failure. When OPEN_OK counted as a success and the drop
        // as a failure, the share settled near 0.5 and this node stayed at about 45 however many it dropped.
        assertThat(badScore).isLessThan(35);
        assertThat(slowScore).isGreaterThanOrEqualTo(70).isLessThan(fastScore);
        // Measured, the dropping exit carries clearly fewer streams: under 15 % of the second half.
        assertThat(badFirst).as("the dropping node was tried while its record was young").isPositive();
        assertThat(secondShare).isLessThan(0.15);
        assertThat(end.get(fast) - middle.get(fast)).isGreaterThan(badSecond * 3);
        assertThat(end.get(slow) - middle.get(slow)).isGreaterThan(badSecond * 3);

        // /api/nodes carries the averages behind the scores (docs/exit-quality.md#where-it-shows).
        assertThat(seen.get(bad).get("successShare").asDouble()).isLessThan(0.5);
        assertThat(seen.get(fast).get("successShare").asDouble()).isGreaterThan(0.9);
        assertThat(seen.get(slow).get("throughputMbps").asDouble())
                .isPositive().isLessThan(seen.get(fast).get("throughputMbps").asDouble());
        assertThat(seen.get(fast).get("ttfbMillis").isNumber()).isTrue();

        // The admin sees it (docs/exit-quality.md#where-it-shows): on the supply page the dropping node
        // heads the lowest-scoring connected nodes with its score, and is counted as poor; Prometheus
        // counts at least it in the poor band.
        String badId = seen.get(bad).get("id").asString();
        HttpResponse<String> supply = send("GET", "/admin", null, null,
                Map.of("Cookie", WebSessionCookie.NAME + "=" + adminToken()));
        assertThat(supply.statusCode()).isEqualTo(200);
        Matcher firstRow = Pattern.compile("data-test=\"quality-row\" data-node=\"([0-9a-f-]{36})\".*?"
                + "data-test=\"quality-score\">([^<]+)<", Pattern.DOTALL).matcher(supply.body());
        assertThat(firstRow.find()).as("a lowest-quality table on the supply page").isTrue();
        assertThat(firstRow.group(1)).isEqualTo(badId);
        assertThat(firstRow.group(2)).isEqualTo(badScore + " / 100");
        Matcher poor = Pattern.compile("data-test=\"quality-poor\">([0-9,]+)<").matcher(supply.body());
        assertThat(poor.find()).isTrue();
        assertThat(Integer.parseInt(poor.group(1).replace(",", ""))).isGreaterThanOrEqualTo(1);
        Pattern poorGauge = Pattern.compile("(?m)^iploop_nodes_quality\\{[^}]*band=\"poor\"[^}]*} ([0-9.]+)$");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Matcher m = poorGauge.matcher(send("GET", "/actuator/prometheus", null, null, Map.of()).body());
            assertThat(m.find()).as("iploop_nodes_quality{band=poor} exported").isTrue();
            assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(1);
        });
    }

    private static Map<String, Long> diff(Map<String, Long> later, Map<String, Long> earlier) {
        Map<String, Long> out = new HashMap<>();
        later.forEach((k, v) -> out.put(k.substring(k.indexOf('-') + 1), v - earlier.getOrDefault(k, 0L)));
        return out;
    }

    /**
     * The counters once the gateway has reported all {@code attempts} streams (it reports every 2 s),
     * or after 15 s (an attempt refused before any node was chosen is counted by no node).
     */
    private static Map<String, Long> settled(String operator, String prefix, Map<String, Long> before, int attempts)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            Map<String, Long> now = requests(operator, prefix);
            long sum = 0;
            for (Map.Entry<String, Long> e : now.entrySet()) {
                sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
            if (sum >= attempts || System.nanoTime() > deadline) {
                return now;
            }
            Thread.sleep(500);
        }
    }

    /** Requests done, attempts made (with the customer's retries) and attempts that failed. */
    record Half(int succeeded, int attempts, int failures) {}

    /** {@link #REQUESTS_PER_HALF} requests, 4 at a time, each retried up to 3 times until it answers 200 with the whole body. */
    private static Half half(int proxyPort, String auth, String url) throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger succeeded = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < REQUESTS_PER_HALF; i++) {
                done.add(pool.submit(() -> {
                    for (int attempt = 0; attempt < 4; attempt++) {
                        attempts.incrementAndGet();
                        if (get(proxyPort, auth, url)) {
                            succeeded.incrementAndGet();
                            return null;
                        }
                        failures.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        }
        return new Half(succeeded.get(), attempts.get(), failures.get());
    }

    /** One absolute-form GET through the HTTP proxy: true for 200 with exactly {@link #BODY} body bytes. */
    private static boolean get(int proxyPort, String auth, String url) {
        try (Socket s = new Socket("127.0.0.1", proxyPort)) {
            s.setSoTimeout(30_000);
            URI u = URI.create(url);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + url + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort() + "\r\nProxy-Authorization: "
                    + auth + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            byte[] bytes = all.toByteArray();
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            int headersEnd = text.indexOf("\r\n\r\n");
            return text.startsWith("HTTP/1.1 200") && headersEnd > 0 && bytes.length - headersEnd - 4 == BODY;
        } catch (IOException e) {
            return false;
        }
    }
}
