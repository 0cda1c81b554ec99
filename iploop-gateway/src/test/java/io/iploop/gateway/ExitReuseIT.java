package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.Curl;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exit reuse end to end (docs/exit-reuse.md): a real gateway, a real node agent, the real curl (a
 * new customer connection per run, as rotating customers connect) and an origin that counts the
 * TCP connections it accepts. Asserts that sequential connections of one customer, session and
 * destination share one origin connection with each connection metered on its own; that another
 * session, a request with a body, or a new exit per request get their own; that a reused
 * connection the origin closed is sent again on a new one without the customer noticing; and
 * that an idle connection is closed after the idle time.
 */
@Timeout(120)
class ExitReuseIT {

    private static final String KEY_OF_NODE = "ipn_" + "ab".repeat(16) + "0".repeat(16);
    private static final RecordingUsageSink sink = new RecordingUsageSink();
    private static Gateway gateway;
    private static NodeAgent agent;
    private static CountingOrigin origin;

    @BeforeAll
    static void start() throws Exception {
        origin = new CountingOrigin();
        GatewayConfig t = GatewayConfig.forTests();
        GatewayConfig config = new GatewayConfig(t.bindAddress(), 0, 0, 0, true, List.of(), List.of(),
                t.authCacheTtl(), t.usageFlushInterval(), TunnelSettings.DEFAULTS);
        UUID nodeId = UUID.randomUUID();
        String keyHash = KeyHashes.sha256Hex(KEY_OF_NODE);
        gateway = Gateway.builder(config)
                .proxyAuthenticator(new InMemoryAuthenticator())
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(hello.nodeKeySha256Hex().equals(keyHash)
                        ? new NodeAdmission.Admitted(nodeId, TestSupport.PRINCIPAL.userId(), "US", null, "new_york", 3320, null, "wifi")
                        : new NodeAdmission.Refused("unknown node key")))
                .usageSink(sink)
                .nodeStore(NodeStore.NONE)
                .build();
        gateway.start();
        agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + gateway.nodeHubPort() + "/ws"), KEY_OF_NODE,
                "reuse-1", "reuse-1", "US", null, "new_york", 0, null, "wifi", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS));
        agent.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
    }

    @AfterAll
    static void stop() throws IOException {
        if (agent != null) {
            agent.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @BeforeEach
    void reset() throws InterruptedException {
        TestSupport.awaitIdleAndClear(gateway, sink);
        // Streams of the previous test are idle for at most 4 s; wait them out so counts start at 0.
        await().atMost(Duration.ofSeconds(10)).until(() -> origin.open.get() == 0);
        origin.accepted.set(0);
        origin.requests.set(0);
        origin.dropNextOnReusedConnection.set(false);
    }

    /** curl with the proxy and {@code Connection: close}: one connection per request, as rotating customers send. */
    private static Curl.Result get(String params, String... more) throws Exception {
        String[] args = new String[more.length + 4];
        args[0] = "-x";
        args[1] = proxy(params);
        args[2] = "-H";
        args[3] = "Connection: close";
        System.arraycopy(more, 0, args, 4, more.length);
        return Curl.run(args);
    }

    private static String proxy(String params) {
        return "http://" + TestSupport.CUSTOMER + ":" + TestSupport.KEY + params + "@127.0.0.1:" + gateway.httpProxyPort();
    }

    private static List<UsageRecord> records(int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.records.size() >= n);
        return List.copyOf(sink.records);
    }

    private static double reuses(String outcome) {
        return gateway.meterRegistry().get("iploop.gateway.exit.reuses").tag("outcome", outcome).counter().count();
    }

    @Test
    void sequentialConnectionsOfOneCustomerShareOneOriginConnectionAndAreMeteredEachOnItsOwn() throws Exception {
        double reusedBefore = reuses("reused");
        for (int i = 0; i < 5; i++) {
            Curl.Result r = get(("-session-reuse1"), origin.url("/page"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(CountingOrigin.BODY);
        }
        assertThat(origin.requests.get()).isEqualTo(5);
        assertThat(origin.accepted.get()).as("TCP connections the origin accepted for five customer connections").isEqualTo(1);
        assertThat(reuses("reused") - reusedBefore).isEqualTo(4);

        List<UsageRecord> records = records(5);
        assertThat(records).hasSize(5);
        assertThat(records).allSatisfy(u -> {
            assertThat(u.requestCount()).isEqualTo(1);
            assertThat(u.success()).isTrue();
            assertThat(u.httpStatus()).isEqualTo(200);
            assertThat(u.bytesDownloaded()).isEqualTo(records.getFirst().bytesDownloaded()).isPositive();
            assertThat(u.bytesUploaded()).isEqualTo(records.getFirst().bytesUploaded()).isPositive();
        });
    }

    @Test
    void anotherSessionARequestWithABodyAndAnExitPerRequestGetTheirOwnOriginConnections() throws Exception {
        assertThat(get(("-session-a"), origin.url("/a")).status()).isEqualTo(200);
        assertThat(get(("-session-b"), origin.url("/b")).status()).isEqualTo(200);
        assertThat(origin.accepted.get()).as("two sessions").isEqualTo(2);

        assertThat(get(("-session-a"), "-d", "name=value", origin.url("/form")).status()).isEqualTo(200);
        assertThat(origin.accepted.get()).as("a POST never goes to an idle connection").isEqualTo(3);

        assertThat(get(("-sesstype-per-request"), origin.url("/c")).status()).isEqualTo(200);
        assertThat(get(("-sesstype-per-request"), origin.url("/c")).status()).isEqualTo(200);
        assertThat(origin.accepted.get()).as("an exit per request keeps no idle connection").isEqualTo(5);

        assertThat(get(("-session-a"), origin.url("/a")).status()).isEqualTo(200);
        assertThat(origin.accepted.get()).as("session a's idle connection serves its next GET").isEqualTo(5);
    }

    @Test
    void aCustomerThatKeepsItsConnectionTakesItsExitAlongAndLeavesNoneBehind() throws Exception {
        assertThat(Curl.run("-x", proxy("-session-ka"), origin.url("/ka")).status()).isEqualTo(200);
        assertThat(Curl.run("-x", proxy("-session-ka"), origin.url("/ka")).status()).isEqualTo(200);
        assertThat(origin.accepted.get()).as("each keep-alive customer connection is a new visitor").isEqualTo(2);
    }

    @Test
    void aReusedConnectionTheOriginClosedIsSentAgainOnANewOne() throws Exception {
        double staleBefore = reuses("stale");
        assertThat(get(("-session-stale"), origin.url("/one")).status()).isEqualTo(200);
        origin.dropNextOnReusedConnection.set(true);

        Curl.Result r = get(("-session-stale"), origin.url("/two"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo(CountingOrigin.BODY);
        assertThat(origin.accepted.get()).as("the idle connection, then a new one").isEqualTo(2);
        assertThat(reuses("stale") - staleBefore).isEqualTo(1);
        List<UsageRecord> records = records(2);
        assertThat(records).hasSize(2).allSatisfy(u -> {
            assertThat(u.success()).isTrue();
            assertThat(u.requestCount()).isEqualTo(1);
            assertThat(u.bytesDownloaded()).isEqualTo(records.getFirst().bytesDownloaded());
        });
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTime() throws Exception {
        assertThat(get(("-session-idle"), origin.url("/x")).status()).isEqualTo(200);
        assertThat(origin.open.get()).isEqualTo(1);
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> origin.open.get() == 0);
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(waitedMillis).as("closed by the gateway's idle timer (4 s), not at once").isGreaterThan(2_000);
    }

    /** An HTTP/1.1 origin that keeps connections alive and counts them; one thread per connection. */
    static final class CountingOrigin implements AutoCloseable {
        static final String BODY = "reused-or-not ".repeat(64);
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        /** Closes, without an answer, the next request that arrives on a connection that already answered one. */
        final AtomicBoolean dropNextOnReusedConnection = new AtomicBoolean();
        private final ServerSocket server;

        CountingOrigin() throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofVirtual().start(this::acceptLoop);
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getLocalPort() + path;
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    open.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                int answered = 0;
                while (true) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    if (answered > 0 && dropNextOnReusedConnection.compareAndSet(true, false)) {
                        return;
                    }
                    int length = contentLength(head);
                    in.readNBytes(length);
                    requests.incrementAndGet();
                    byte[] body = BODY.getBytes(StandardCharsets.US_ASCII);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    answered++;
                }
            } catch (IOException e) {
                // the gateway's side went away
            } finally {
                open.decrementAndGet();
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            for (int b; (b = in.read()) != -1; ) {
                head.write(b);
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == 4) {
                    return head.toString(StandardCharsets.US_ASCII);
                }
            }
            return null;
        }

        private static int contentLength(String head) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    return Integer.parseInt(line.substring(colon + 1).trim());
                }
            }
            return 0;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
