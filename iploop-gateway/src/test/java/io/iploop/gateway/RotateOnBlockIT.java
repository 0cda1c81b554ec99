package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code rotate-on-block} end to end (docs/rotate-on-block.md): a real gateway, TWO real node
 * agents, a real local origin and the real curl. The origin refuses the next request(s) it gets
 * (403, or a 200 "Access Denied" page), whichever node carries them; the usage records tell which
 * node carried the refused attempt. Asserts that the customer gets the other node's answer with the
 * debug header naming it, that both attempts are metered, that without the parameter the 403 comes
 * back unchanged, and that a body over the replay limit is not retried.
 */
@Timeout(120)
class RotateOnBlockIT {

    private static final Map<String, String> nodeGeo = new ConcurrentHashMap<>();
    private static final Map<String, UUID> nodeIds = new ConcurrentHashMap<>();
    private static final RecordingUsageSink sink = new RecordingUsageSink();
    private static final List<NodeAgent> agents = new ArrayList<>();
    private static Gateway gateway;
    private static BlockingOrigin origin;

    @BeforeAll
    static void start() throws Exception {
        origin = new BlockingOrigin();
        GatewayConfig t = GatewayConfig.forTests();
        GatewayConfig config = new GatewayConfig(t.bindAddress(), 0, 0, 0, true, List.of(), List.of(),
                t.authCacheTtl(), t.usageFlushInterval(), TunnelSettings.DEFAULTS);
        gateway = Gateway.builder(config)
                .proxyAuthenticator(new InMemoryAuthenticator())
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(admit(hello.nodeKeySha256Hex(), hello.deviceId())))
                .usageSink(sink)
                .nodeStore(NodeStore.NONE)
                .build();
        gateway.start();
        startAgent("us-1");
        startAgent("us-2");
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.nodes().connectedNodes().size() == 2);
    }

    @AfterAll
    static void stop() {
        agents.forEach(NodeAgent::close);
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
        origin.hits.set(0);
        origin.block403.set(0);
        origin.blockPage.set(0);
    }

    private static NodeAdmission admit(String keyHash, String deviceId) {
        String country = nodeGeo.get(keyHash);
        if (country == null) {
            return new NodeAdmission.Refused("unknown node key");
        }
        UUID id = nodeIds.computeIfAbsent(deviceId, d -> UUID.randomUUID());
        return new NodeAdmission.Admitted(id, TestSupport.PRINCIPAL.userId(), country, null, "new_york", 3320, null, "wifi");
    }

    private static void startAgent(String deviceId) {
        String key = "ipn_" + UUID.randomUUID().toString().replace("-", "") + "0".repeat(16);
        nodeGeo.put(KeyHashes.sha256Hex(key), "US");
        NodeAgent agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + gateway.nodeHubPort() + "/ws"), key,
                deviceId, deviceId, "US", null, "new_york", 0, null, "wifi", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS));
        agent.start();
        agents.add(agent);
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
    }

    private static String proxy(String params) {
        return "http://" + TestSupport.CUSTOMER + ":" + TestSupport.KEY + params + "@127.0.0.1:" + gateway.httpProxyPort();
    }

    /** The usage records of the origin's host, once {@code n} have arrived. */
    private static List<UsageRecord> records(int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.records.size() >= n);
        return List.copyOf(sink.records);
    }

    @Test
    void a403IsAnsweredByTheOtherNodeAndBothAttemptsAreMetered() throws Exception {
        origin.block403.set(1);
        Curl.Result r = Curl.run("-x", proxy("-country-us-rotate-on-block-debug-1"), origin.url("/page"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo(BlockingOrigin.WELCOME);
        assertThat(r.header("X-IPLoop-Rotated")).isEqualTo("1");
        assertThat(origin.hits.get()).as("the origin saw the request twice").isEqualTo(2);

        List<UsageRecord> records = records(2);
        assertThat(records).hasSize(2);
        UsageRecord blocked = records.stream().filter(u -> Integer.valueOf(403).equals(u.httpStatus())).findFirst().orElseThrow();
        UsageRecord served = records.stream().filter(u -> Integer.valueOf(200).equals(u.httpStatus())).findFirst().orElseThrow();
        assertThat(blocked.nodeId()).isNotNull().isNotEqualTo(served.nodeId());
        assertThat(Set.copyOf(nodeIds.values())).contains(blocked.nodeId(), served.nodeId());
        assertThat(r.header("X-IPLoop-Node")).as("the debug header names the node that served")
                .isEqualTo(served.nodeId().toString());
        // The blocked attempt: the customer's request as sent, and the whole discarded 403 (status
        // line, headers and its 3000-byte body) that its node carried.
        assertThat(blocked.bytesUploaded()).isEqualTo(r.sizeRequest());
        assertThat(blocked.bytesDownloaded()).isGreaterThan(BlockingOrigin.BLOCKED.length());
        // The retry: the replayed request and exactly what the customer received.
        assertThat(served.bytesUploaded()).isGreaterThan(0);
        assertThat(served.bytesDownloaded()).isEqualTo(r.sizeHeader() + r.sizeDownload());
        assertThat(blocked.requestCount() + served.requestCount()).isEqualTo(2);
    }

    @Test
    void withoutRotateOnBlockThe403IsReturnedUnchanged() throws Exception {
        origin.block403.set(1);
        Curl.Result r = Curl.run("-x", proxy("-country-us-debug-1"), origin.url("/page"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.bodyText()).isEqualTo(BlockingOrigin.BLOCKED);
        assertThat(r.header("X-IPLoop-Rotated")).isNull();
        assertThat(origin.hits.get()).isEqualTo(1);
        UsageRecord only = records(1).getFirst();
        assertThat(only.httpStatus()).isEqualTo(403);
        assertThat(r.header("X-IPLoop-Node")).isEqualTo(String.valueOf(only.nodeId()));
        assertThat(only.bytesDownloaded()).isEqualTo(r.sizeHeader() + r.sizeDownload());
    }

    @Test
    void anAccessDeniedPageServedWith200IsRotated() throws Exception {
        origin.blockPage.set(1);
        Curl.Result r = Curl.run("-x", proxy("-rotate-on-block"), origin.url("/page"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo(BlockingOrigin.WELCOME);
        assertThat(r.header("X-IPLoop-Rotated")).isEqualTo("1");
        assertThat(origin.hits.get()).isEqualTo(2);
    }

    @Test
    void aBodyOverTheReplayLimitIsNotRetried() throws Exception {
        origin.block403.set(1);
        Path body = Files.createTempFile("rotate-body", ".bin");
        Files.write(body, new byte[100 * 1024]);
        Curl.Result r = Curl.run("-x", proxy("-rotate-on-block"), "--data-binary", "@" + body, origin.url("/upload"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("X-IPLoop-Rotated")).isNull();
        assertThat(origin.hits.get()).isEqualTo(1);
        Files.delete(body);
    }

    @Test
    void aSmallBodyIsReplayedToTheOtherNode() throws Exception {
        origin.block403.set(1);
        Curl.Result r = Curl.run("-x", proxy("-rotate-on-block"), "--data-binary", "hello=world", origin.url("/upload"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("got 11 bytes");
        assertThat(origin.hits.get()).isEqualTo(2);
    }

    @Test
    void onlyOneRetry() throws Exception {
        origin.block403.set(5);
        Curl.Result r = Curl.run("-x", proxy("-rotate-on-block"), origin.url("/page"));
        assertThat(r.status()).as("the second exit's answer, blocked too").isEqualTo(403);
        assertThat(r.header("X-IPLoop-Rotated")).isEqualTo("1");
        assertThat(origin.hits.get()).isEqualTo(2);
    }

    /**
     * A plain HTTP origin on 127.0.0.1 that refuses the next {@link #block403} requests with 403
     * (a 3000-byte body) and the next {@link #blockPage} with a 200 "Access Denied" HTML page;
     * otherwise {@code /page} answers {@link #WELCOME} and {@code /upload} the size of the body it read.
     */
    static final class BlockingOrigin implements AutoCloseable {
        static final String WELCOME = "welcome";
        static final String BLOCKED = "blocked ".repeat(375);
        final AtomicInteger hits = new AtomicInteger();
        final AtomicInteger block403 = new AtomicInteger();
        final AtomicInteger blockPage = new AtomicInteger();
        private final HttpServer server;
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

        BlockingOrigin() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.createContext("/", this::handle);
            server.setExecutor(executor);
            server.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        private void handle(HttpExchange ex) throws IOException {
            byte[] in = ex.getRequestBody().readAllBytes();
            hits.incrementAndGet();
            if (block403.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                send(ex, 403, "text/plain", BLOCKED);
            } else if (blockPage.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                send(ex, 200, "text/html; charset=utf-8",
                        "<!DOCTYPE html><html><head><title>Access Denied</title></head><body>You don't have permission.</body></html>");
            } else if (ex.getRequestURI().getPath().equals("/upload")) {
                send(ex, 200, "text/plain", "got " + in.length + " bytes");
            } else {
                send(ex, 200, "text/plain", WELCOME);
            }
        }

        private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
