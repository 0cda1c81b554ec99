package io.iploop.server.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.usage.CountingConnectClient;
import io.iploop.tunnel.TunnelSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-gateway routing with real processes (docs/deploy.md#cross-gateway-relay), on
 * {@link ClusterIT}'s launcher: one control plane and three gateways sharing PostgreSQL and Redis;
 * a node in FR connected only to gateway 2, one in DE only to gateway 3, customers on gateway 1
 * (which holds only the local exit). Checks: gateway 1 serves {@code country-FR} through gateway 2's
 * node, bytes exact both ways, and {@code state-} and {@code isp-} targeting too (the node's region and
 * ISP have an accent and punctuation); the relay listener refuses an upgrade without a valid cluster
 * token; both gateways' relay meters count the streams, links and refused upgrades;
 * a relayed exchange is stored once (one usage record, the same bytes as the same exchange served
 * by gateway 2 itself); a sticky session pinned on gateway 1 keeps its exit when the customer comes
 * back through gateway 3 (whose own DE node would otherwise be chosen); and, when gateway 2 is
 * killed, gateway 1 answers the FR targeting with an error instead of hanging. Prints the relay's
 * added latency (median of 200 small exchanges direct and relayed); asserts no timing.
 */
@Timeout(900)
class ClusterRelayIT {

    static final Pattern RELAY_PORT = Pattern.compile("Cluster relay listening on \\S+:(\\d+) ");
    static final Pattern NODE = Pattern.compile("(?im)^X-IPLoop-Node: (\\S+)");
    static final int MIB = 1024 * 1024;
    static final int SAMPLES = 200;

    @TempDir
    Path tmp;

    final ClusterIT cluster = new ClusterIT();

    @AfterEach
    void stop() throws Exception {
        cluster.stop();
    }

    @Test
    void aGatewayServesItsCustomersThroughNodesOfAnotherGateway() throws Exception {
        cluster.tmp = tmp;
        cluster.postgres = EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("pg")).setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "localhost").start();
        String jdbcUrl = "jdbc:postgresql://localhost:" + cluster.postgres.getPort() + "/postgres";

        ClusterIT.Server cp = cluster.start("control-plane", jdbcUrl, List.of("--role=control-plane"));
        await().atMost(Duration.ofSeconds(240)).until(() -> cp.find(ClusterIT.DEMO_KEY) != null || !cp.process().isAlive());
        assertThat(cp.process().isAlive()).as("control plane running").isTrue();
        String customerId = cp.find(ClusterIT.DEMO_ID);
        String key = cp.find(ClusterIT.DEMO_KEY);

        ClusterIT.Server g1 = cluster.start("gateway-1", jdbcUrl, List.of("--role=gateway", "--local-node"));
        ClusterIT.Server g2 = cluster.start("gateway-2", jdbcUrl, List.of("--role=gateway"));
        ClusterIT.Server g3 = cluster.start("gateway-3", jdbcUrl, List.of("--role=gateway"));
        for (ClusterIT.Server g : List.of(g1, g2, g3)) {
            await().atMost(Duration.ofSeconds(300)).until(() -> g.logged("Gateway listening on") || !g.process().isAlive());
            assertThat(g.process().isAlive()).as(g.name() + " running").isTrue();
        }
        Path nodeKeyFile = tmp.resolve("gateway-1").resolve("local-node.key");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(nodeKeyFile));
        String nodeKey = Files.readString(nodeKeyFile).strip();
        agent(g2.hubPort(), nodeKey, "relay-it-fr", "FR", "Île-de-France", "Orange S.A.");
        agent(g3.hubPort(), nodeKey, "relay-it-de", "DE", null, null);
        await().atMost(Duration.ofSeconds(60)).until(() -> cluster.agents.stream()
                .allMatch(a -> a.status().state() == AgentStatus.State.CONNECTED));

        try (TestOrigin origin = TestOrigin.http()) {
            String fr = key + "-country-FR-debug-1";
            Tunnel own = tunnel(g2.proxyPort(), customerId, fr, origin.port(), get("/bytes/100"));
            assertThat(own.connectHead()).as("FR via its own gateway").startsWith("HTTP/1.1 200");
            String frNode = node(own.connectHead());
            Tunnel deOwn = tunnel(g3.proxyPort(), customerId, key + "-country-DE-debug-1", origin.port(), get("/bytes/100"));
            String deNode = node(deOwn.connectHead());
            assertThat(deNode).isNotEqualTo(frNode);

            // --- the relay listener refuses a peer without the cluster secret.
            int relayPort = Integer.parseInt(g2.find(RELAY_PORT));
            assertThat(upgradeStatus(relayPort, null)).as("no token").isEqualTo(401);
            assertThat(upgradeStatus(relayPort, "x." + System.currentTimeMillis() / 1000 + ".forged")).as("forged token")
                    .isEqualTo(401);

            // --- gateway 1 has no FR node: served by gateway 2's once the directory lists it (within a second).
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() ->
                    tunnel(g1.proxyPort(), customerId, fr, origin.port(), get("/bytes/100")).connectHead().startsWith("HTTP/1.1 200"));
            Tunnel down = tunnel(g1.proxyPort(), customerId, fr, origin.port(), get("/bytes/" + MIB));
            assertThat(down.connectHead()).startsWith("HTTP/1.1 200");
            assertThat(node(down.connectHead())).as("exit of the relayed tunnel").isEqualTo(frNode);
            assertThat(Arrays.equals(body(down.response()), TestOrigin.expectedBytes(MIB))).as("1 MiB down, byte for byte").isTrue();
            byte[] upload = new byte[300 * 1024];
            new Random(18).nextBytes(upload);
            Tunnel up = tunnel(g1.proxyPort(), customerId, fr, origin.port(), post("/echo", upload));
            assertThat(Arrays.equals(body(up.response()), upload)).as("300 KiB up and echoed, byte for byte").isTrue();
            // State and ISP targeting reach the other gateway's node too (its directory entry carries them).
            for (String targeting : List.of("-country-FR-state-ile_de_france", "-isp-orange_s_a")) {
                Tunnel t = tunnel(g1.proxyPort(), customerId, key + targeting + "-debug-1", origin.port(), get("/bytes/100"));
                assertThat(t.connectHead()).as(targeting + " relayed").startsWith("HTTP/1.1 200");
                assertThat(node(t.connectHead())).as(targeting + " exit").isEqualTo(frNode);
            }
            assertThat(tunnel(g1.proxyPort(), customerId, key + "-country-FR-state-normandie", origin.port(), get("/bytes/100"))
                    .connectHead()).as("a state no node is in").startsWith("HTTP/1.1 503");
            // The relay's meters on both ends, and the two refused upgrades above.
            String g1Metrics = metrics(g1.httpPort());
            String g2Metrics = metrics(g2.httpPort());
            assertThat(counter(g1Metrics, "iploop_relay_streams_total", "outcome=\"opened\"", "side=\"outgoing\"")).isGreaterThanOrEqualTo(5);
            assertThat(counter(g2Metrics, "iploop_relay_streams_total", "outcome=\"opened\"", "side=\"incoming\"")).isGreaterThanOrEqualTo(5);
            assertThat(counter(g1Metrics, "iploop_relay_links", "side=\"outgoing\"")).isEqualTo(1);
            assertThat(counter(g2Metrics, "iploop_relay_links", "side=\"incoming\"")).isEqualTo(1);
            assertThat(counter(g2Metrics, "iploop_relay_upgrades_refused_total")).isEqualTo(2);

            // --- usage: a relayed exchange is one usage record with the bytes of the same exchange served locally.
            Thread.sleep(3000); // everything before is flushed
            long rows0 = records(jdbcUrl, customerId, frNode);
            long bytes0 = ClusterIT.stored(jdbcUrl, customerId);
            assertThat(CountingConnectClient.exchange(g2.proxyPort(), customerId, key + "-country-FR", origin.port(), 50_000).ok())
                    .isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> records(jdbcUrl, customerId, frNode) > rows0);
            Thread.sleep(3000);
            long rows1 = records(jdbcUrl, customerId, frNode);
            long bytes1 = ClusterIT.stored(jdbcUrl, customerId);
            CountingConnectClient.Exchange relayed = CountingConnectClient.exchange(g1.proxyPort(), customerId,
                    key + "-country-FR", origin.port(), 50_000);
            assertThat(relayed.ok()).isTrue();
            await().atMost(Duration.ofSeconds(20)).until(() -> records(jdbcUrl, customerId, frNode) > rows1);
            Thread.sleep(3000); // a second record (from the node's gateway) would show now
            long rows2 = records(jdbcUrl, customerId, frNode);
            long bytes2 = ClusterIT.stored(jdbcUrl, customerId);
            System.out.printf("usage: served by its own gateway %d bytes in %d record(s); relayed %d bytes in %d record(s);"
                    + " client carried %d%n", bytes1 - bytes0, rows1 - rows0, bytes2 - bytes1, rows2 - rows1,
                    relayed.sent() + relayed.received());
            assertThat(rows1 - rows0).as("records of the local exchange").isEqualTo(1);
            assertThat(rows2 - rows1).as("records of the relayed exchange").isEqualTo(1);
            assertThat(bytes2 - bytes1).as("relayed bytes stored = same exchange served locally").isEqualTo(bytes1 - bytes0);
            assertThat(bytes2 - bytes1).isLessThanOrEqualTo(relayed.sent() + relayed.received()).isGreaterThan(50_000);

            // --- a sticky session pinned on gateway 1 (to gateway 2's FR node) keeps its exit on gateway 3.
            String sticky = key + "-session-relayit-sesstype-sticky-lifetime-30-debug-1";
            Tunnel s1 = tunnel(g1.proxyPort(), customerId, sticky + "-country-FR", origin.port(), get("/bytes/100"));
            assertThat(node(s1.connectHead())).isEqualTo(frNode);
            Thread.sleep(2500); // pins are saved about once a second
            // Gateway 3 prefers its own nodes: a new session there gets its DE node ...
            Tunnel fresh = tunnel(g3.proxyPort(), customerId, key + "-session-relayitnew-sesstype-sticky-debug-1",
                    origin.port(), get("/bytes/100"));
            assertThat(node(fresh.connectHead())).as("a new session on gateway 3").isEqualTo(deNode);
            // ... but the session pinned on gateway 1 keeps the FR node of gateway 2.
            for (int i = 0; i < 3; i++) {
                Tunnel s3 = tunnel(g3.proxyPort(), customerId, sticky, origin.port(), get("/bytes/100"));
                assertThat(node(s3.connectHead())).as("sticky session via gateway 3").isEqualTo(frNode);
            }
            Tunnel s2 = tunnel(g2.proxyPort(), customerId, sticky, origin.port(), get("/bytes/100"));
            assertThat(node(s2.connectHead())).as("sticky session via gateway 2").isEqualTo(frNode);

            // --- the relay's added latency: median of small exchanges, direct and relayed (printed, not asserted).
            long[] direct = new long[SAMPLES];
            long[] relay = new long[SAMPLES];
            for (int i = 0; i < SAMPLES; i++) {
                long t0 = System.nanoTime();
                assertThat(CountingConnectClient.exchange(g2.proxyPort(), customerId, key + "-country-FR", origin.port(), 100).ok())
                        .isTrue();
                long t1 = System.nanoTime();
                assertThat(CountingConnectClient.exchange(g1.proxyPort(), customerId, key + "-country-FR", origin.port(), 100).ok())
                        .isTrue();
                long t2 = System.nanoTime();
                direct[i] = t1 - t0;
                relay[i] = t2 - t1;
            }
            Arrays.sort(direct);
            Arrays.sort(relay);
            System.out.printf("relay latency: CONNECT + GET of 100 bytes, median of %d: direct %.2f ms, relayed %.2f ms,"
                    + " added %.2f ms (p90 direct %.2f ms, relayed %.2f ms)%n", SAMPLES, direct[SAMPLES / 2] / 1e6,
                    relay[SAMPLES / 2] / 1e6, (relay[SAMPLES / 2] - direct[SAMPLES / 2]) / 1e6,
                    direct[SAMPLES * 9 / 10] / 1e6, relay[SAMPLES * 9 / 10] / 1e6);

            // --- the node's gateway dies: gateway 1 answers FR with an error (never hangs), 503 once the entry expired.
            g2.process().destroyForcibly();
            assertThat(g2.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            long killed = System.currentTimeMillis();
            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1)).until(() ->
                    tunnel(g1.proxyPort(), customerId, fr, origin.port(), get("/bytes/100")).connectHead().startsWith("HTTP/1.1 503"));
            System.out.printf("gateway 2 killed: gateway 1 answered country-FR with 503 after %d ms%n",
                    System.currentTimeMillis() - killed);
        }
    }

    void agent(int hubPort, String nodeKey, String deviceId, String country, @Nullable String region, @Nullable String isp)
            throws Exception {
        NodeAgent agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + hubPort + "/ws"), nodeKey, deviceId,
                deviceId, country, region, null, 0, isp, "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
        cluster.agents.add(agent);
        agent.start();
    }

    /** The gateway's Prometheus scrape (loopback may scrape without a token). */
    static String metrics(int httpPort) throws Exception {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/prometheus"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    /**
     * The value of the sample of {@code name} carrying every one of {@code labels} ({@code key="value"},
     * as exported; other labels such as the common {@code application} may be there too); fails,
     * listing the relay's samples, when there is none.
     */
    static double counter(String scrape, String name, String... labels) {
        return scrape.lines()
                .filter(l -> !l.startsWith("#") && l.lastIndexOf(' ') > 0)
                .filter(l -> {
                    String series = l.substring(0, l.lastIndexOf(' '));
                    return (series.equals(name) || series.startsWith(name + "{")) && Arrays.stream(labels).allMatch(series::contains);
                })
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + name + " " + List.of(labels)
                        + " in the scrape; its relay samples: " + scrape.lines().filter(l -> l.startsWith("iploop_relay")).toList()));
    }

    /** What one tunnel carried: the CONNECT answer's head, then every byte read until the origin closed. */
    record Tunnel(String connectHead, byte[] response) {}

    static byte[] get(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] post(String path, byte[] body) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    static Tunnel tunnel(int proxyPort, String customerId, String password, int originPort, byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", proxyPort)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            String auth = Base64.getEncoder().encodeToString((customerId + ":" + password).getBytes(StandardCharsets.US_ASCII));
            out.write(("CONNECT 127.0.0.1:" + originPort + " HTTP/1.1\r\nHost: 127.0.0.1:" + originPort
                    + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            StringBuilder head = new StringBuilder();
            for (int c; !head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0; ) {
                head.append((char) c);
            }
            if (!head.toString().startsWith("HTTP/1.1 200")) {
                return new Tunnel(head.toString(), new byte[0]);
            }
            out.write(request);
            out.flush();
            return new Tunnel(head.toString(), in.readAllBytes());
        }
    }

    /** The body of a whole HTTP response (after its head). */
    static byte[] body(byte[] response) {
        for (int i = 3; i < response.length; i++) {
            if (response[i - 3] == '\r' && response[i - 2] == '\n' && response[i - 1] == '\r' && response[i] == '\n') {
                return Arrays.copyOfRange(response, i + 1, response.length);
            }
        }
        return new byte[0];
    }

    static String node(String head) {
        Matcher m = NODE.matcher(head);
        assertThat(m.find()).as("X-IPLoop-Node in %s", head).isTrue();
        return m.group(1).strip();
    }

    /** Status of a WebSocket upgrade to the relay listener, with {@code token} in the auth header (none when null). */
    static int upgradeStatus(int port, String token) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            String req = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + (token == null ? "" : "X-IPLoop-Relay-Auth: " + token + "\r\n") + "\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
                line.write(c);
            }
            return Integer.parseInt(line.toString(StandardCharsets.US_ASCII).split(" ")[1]);
        }
    }

    static long records(String jdbcUrl, String customerId, String nodeId) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                PreparedStatement ps = c.prepareStatement("""
                        SELECT count(*) FROM usage_records u JOIN users a ON a.id = u.user_id
                        WHERE a.customer_id = ? AND u.node_id = ?::uuid""")) {
            ps.setString(1, customerId);
            ps.setString(2, nodeId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            return -1;
        }
    }
}
