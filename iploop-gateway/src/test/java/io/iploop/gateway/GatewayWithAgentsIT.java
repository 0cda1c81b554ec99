package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.ConnectedNode;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data plane with real node agents (no database): a real gateway, real {@link NodeAgent}s
 * in different countries and cities, a real local origin and the real curl. Covers exit
 * selection, flow control under a slow reader, an agent dying mid-download, and agents
 * reconnecting to a restarted gateway.
 */
class GatewayWithAgentsIT {

    private static final String CUSTOMER = "cust_test";
    private static final String KEY = "iploop_" + "ab".repeat(24);
    private static final UUID USER = UUID.randomUUID();

    private final Map<String, String[]> nodeKeys = new ConcurrentHashMap<>();
    private final Map<String, UUID> nodeIds = new ConcurrentHashMap<>();
    private final List<UsageRecord> usage = new CopyOnWriteArrayList<>();
    /** Device id clashes the hub reported: node id and the refused copy's address. */
    private final List<String> idClashes = new CopyOnWriteArrayList<>();
    /** Counter deltas the hub reported, with the measured quality. */
    private final List<NodeStore.NodeCounters> counters = new CopyOnWriteArrayList<>();
    private final List<NodeAgent> agents = new ArrayList<>();
    private SimpleMeterRegistry meters;
    private Gateway gateway;
    private TestOrigin origin;

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.http();
        gateway = newGateway(0);
    }

    @AfterEach
    void stop() {
        agents.forEach(NodeAgent::close);
        if (gateway != null) {
            gateway.close();
        }
        origin.close();
    }

    private Gateway newGateway(int hubPort) throws Exception {
        GatewayConfig t = GatewayConfig.forTests();
        GatewayConfig config = new GatewayConfig(t.bindAddress(), 0, 0, hubPort, true, List.of(), List.of(),
                t.authCacheTtl(), t.usageFlushInterval(), TunnelSettings.DEFAULTS);
        meters = new SimpleMeterRegistry();
        Gateway g = Gateway.builder(config)
                .proxyAuthenticator((customerId, keyHash, ip) -> CompletableFuture.completedFuture(
                        customerId.equals(CUSTOMER) && keyHash.equals(KeyHashes.sha256Hex(KEY))
                                ? new AuthResult.Accepted(new CustomerPrincipal(USER, CUSTOMER, UUID.randomUUID()))
                                : new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown key")))
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(admit(hello.nodeKeySha256Hex(), hello.deviceId())))
                .usageSink(usage::addAll)
                .nodeStore(new NodeStore() {
                    @Override
                    public void connected(UUID nodeId, String ipAddress, java.time.Instant at) {}

                    @Override
                    public void disconnected(UUID nodeId, java.time.Instant at) {}

                    @Override
                    public void addCounters(List<NodeCounters> deltas) {
                        counters.addAll(deltas);
                    }

                    @Override
                    public void idClash(UUID nodeId, String ipAddress, java.time.Instant at) {
                        idClashes.add(nodeId + " " + ipAddress);
                    }
                })
                .meterRegistry(meters)
                .build();
        g.start();
        return g;
    }

    /** Direct memory held by Netty's default allocator (the adaptive allocator in Netty 4.2), in bytes. */
    private static long nettyDirectMemory() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    private NodeAdmission admit(String keyHash, String deviceId) {
        String[] geo = nodeKeys.get(keyHash);
        if (geo == null) {
            return new NodeAdmission.Refused("unknown node key");
        }
        UUID id = nodeIds.computeIfAbsent(deviceId, d -> UUID.randomUUID());
        return new NodeAdmission.Admitted(id, USER, geo[0], null, geo[1], 3320, null, "wifi");
    }

    private NodeAgent startAgent(String deviceId, String country, String city) {
        String key = "ipn_" + UUID.randomUUID().toString().replace("-", "") + "0".repeat(16);
        nodeKeys.put(KeyHashes.sha256Hex(key), new String[] {country, city});
        NodeAgent agent = launchAgent(key, deviceId, country, city);
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
        return agent;
    }

    /** Starts an agent with {@code key} (already known to the authenticator) without waiting for it. */
    private NodeAgent launchAgent(String key, String deviceId, String country, String city) {
        NodeAgent agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + gateway.nodeHubPort() + "/ws"), key,
                deviceId, deviceId, country, null, city, 0, null, "wifi", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS));
        agent.start();
        agents.add(agent);
        return agent;
    }

    private String proxy(String params) {
        return "http://" + CUSTOMER + ":" + KEY + params + "@127.0.0.1:" + gateway.httpProxyPort();
    }

    @Test
    void rotatingStreamsChangeExitAndStickySessionsKeepIt() throws Exception {
        startAgent("de-1", "DE", "berlin");
        startAgent("de-2", "DE", "berlin");
        startAgent("us-1", "US", "new_york");
        await().until(() -> gateway.nodes().connectedNodes().size() == 3);

        List<String> rotating = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Curl.Result r = Curl.run("-x", proxy("-country-de-debug-1"), origin.url("/bytes/100"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-IPLoop-Country")).isEqualTo("DE");
            rotating.add(r.header("X-IPLoop-Node"));
        }
        for (int i = 1; i < rotating.size(); i++) {
            assertThat(rotating.get(i)).as("connection %d uses another exit than the one before", i).isNotEqualTo(rotating.get(i - 1));
        }

        Set<String> sticky = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            Curl.Result r = Curl.run("-x", proxy("-country-de-session-s1-sesstype-sticky-debug-1"), origin.url("/bytes/100"));
            sticky.add(r.header("X-IPLoop-Node"));
        }
        assertThat(sticky).hasSize(1);

        Curl.Result first = Curl.run("-x", proxy("-country-de-session-short-sesstype-sticky-lifetime-2s-debug-1"), origin.url("/bytes/1"));
        Thread.sleep(2_300);
        Curl.Result afterExpiry = Curl.run("-x", proxy("-country-de-session-short-sesstype-sticky-lifetime-2s-debug-1"), origin.url("/bytes/1"));
        assertThat(afterExpiry.header("X-IPLoop-Node")).as("lifetime expired: a new exit").isNotEqualTo(first.header("X-IPLoop-Node"));
    }


    @Test
    void stickySessionMovesToAnotherMatchingNodeWhenItsNodeLeaves() throws Exception {
        NodeAgent berlin1 = startAgent("de-1", "DE", "berlin");
        NodeAgent berlin2 = startAgent("de-2", "DE", "berlin");
        await().until(() -> gateway.nodes().connectedNodes().size() == 2);
        String params = "-country-de-session-keep-sesstype-sticky-debug-1";
        String pinned = Curl.run("-x", proxy(params), origin.url("/bytes/10")).header("X-IPLoop-Node");
        (nodeIds.get("de-1").toString().equals(pinned) ? berlin1 : berlin2).close();
        await().until(() -> gateway.nodes().connectedNodes().size() == 1);

        Curl.Result moved = Curl.run("-x", proxy(params), origin.url("/bytes/10"));
        assertThat(moved.status()).isEqualTo(200);
        assertThat(moved.header("X-IPLoop-Node")).isNotEqualTo(pinned);
        assertThat(Curl.run("-x", proxy(params), origin.url("/bytes/10")).header("X-IPLoop-Node"))
                .as("the session stays on its new node").isEqualTo(moved.header("X-IPLoop-Node"));
    }

    @Test
    void unknownCountryNamesAlternatives() throws Exception {
        startAgent("de-1", "DE", "berlin");
        Curl.Result r = Curl.run("-x", proxy("-country-fr"), origin.url("/bytes/10"));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.header("X-IPLoop-Alternatives")).contains("country-DE");
        Curl.Result city = Curl.run("-x", proxy("-country-de-city-munich"), origin.url("/bytes/10"));
        assertThat(city.status()).isEqualTo(503);
        assertThat(city.header("X-IPLoop-Alternatives")).contains("city-berlin");
    }

    /**
     * 1 GiB through a CONNECT tunnel to a reader that is far slower than the origin: flow control
     * must hold the data at the origin, not in the gateway or the agent.
     */
    @Test
    void slowReaderOfOneGibibyteKeepsMemoryBounded() throws Exception {
        startAgent("de-1", "DE", "berlin");
        long total = 1L << 30;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        long directBefore = nettyDirectMemory();
        AtomicLong peakDirect = new AtomicLong();
        AtomicLong peakHeap = new AtomicLong();
        try (Socket s = new Socket("127.0.0.1", gateway.httpProxyPort())) {
            s.setReceiveBufferSize(64 * 1024);
            OutputStream out = s.getOutputStream();
            String auth = Base64.getEncoder().encodeToString((CUSTOMER + ":" + KEY).getBytes(StandardCharsets.UTF_8));
            String target = "127.0.0.1:" + origin.port();
            out.write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(("GET /bytes/" + total + " HTTP/1.1\r\nHost: " + target + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            long read = 0;
            long bodyStart = -1;
            StringBuilder head = new StringBuilder();
            long started = System.nanoTime();
            int iterations = 0;
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                if (bodyStart < 0) {
                    head.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    int end = head.indexOf("\r\n\r\n", head.indexOf("\r\n\r\n") + 4);
                    if (end >= 0) {
                        bodyStart = end + 4;
                        read = head.length() - bodyStart;
                    }
                } else {
                    read += n;
                }
                if (++iterations % 64 == 0) {
                    peakDirect.accumulateAndGet(nettyDirectMemory() - directBefore, Math::max);
                    peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed() - heapBefore, Math::max);
                    // A slow reader: 60 MB/s, well below what origin and tunnel carry on loopback.
                    long due = (long) (read / 60e6 * 1e9);
                    long ahead = due - (System.nanoTime() - started);
                    if (ahead > 0) {
                        Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                    }
                }
            }
            assertThat(read).isEqualTo(total);
        }
        assertThat(peakDirect.get()).as("the probe sees the transfer's buffers").isPositive();
        System.out.printf("1 GiB to a slow reader: peak Netty direct memory +%.1f MiB, peak heap +%.1f MiB%n",
                peakDirect.get() / 1048576.0, peakHeap.get() / 1048576.0);
        // Without flow control the agent would read the origin at loopback speed and buffer most of the
        // gibibyte; with it, each side pins at most a window (4 MiB), plus allocator chunk granularity.
        assertThat(peakDirect.get()).isLessThan(128L << 20);
    }

    @Test
    void agentKilledMidDownloadGivesTheClientACleanErrorAndLeaksNoStream() throws Exception {
        NodeAgent victim = startAgent("jp-1", "JP", "tokyo");
        CompletableFuture<Curl.Result> download = CompletableFuture.supplyAsync(() -> {
            try {
                return Curl.run("--limit-rate", "2M", "-x", proxy("-country-jp"), origin.url("/bytes/" + (64L << 20)));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        await().until(() -> gateway.nodes().connectedNodes().stream().mapToInt(ConnectedNode::activeStreams).sum() == 1);
        Thread.sleep(500);
        victim.close();
        Curl.Result r = download.get();
        assertThat(r.exitCode()).as("curl reports the cut transfer: %s", r.stderr()).isNotZero();
        assertThat(r.sizeDownload()).isLessThan(64L << 20);
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.get("iploop.gateway.streams.active").gauge().value() == 0.0);
        assertThat(gateway.nodes().connectedNodes()).isEmpty();
        await().until(() -> usage.stream().anyMatch(u -> !u.success() || u.bytesDownloaded() > 0));
    }

    @Test
    void agentsReconnectToARestartedGatewayByThemselves() throws Exception {
        NodeAgent a = startAgent("de-1", "DE", "berlin");
        NodeAgent b = startAgent("us-1", "US", "new_york");
        int hubPort = gateway.nodeHubPort();
        gateway.close();
        await().until(() -> a.status().state() != AgentStatus.State.CONNECTED && b.status().state() != AgentStatus.State.CONNECTED);
        gateway = newGateway(hubPort);
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.nodes().connectedNodes().size() == 2);
        Curl.Result r = Curl.run("-x", proxy("-country-us"), origin.url("/bytes/1000"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(1000));
    }

    @Test
    void aClonedDeviceIdIsRefusedAndTheEstablishedAgentKeepsItsSession() throws Exception {
        String key = "ipn_" + "c1".repeat(24);
        nodeKeys.put(KeyHashes.sha256Hex(key), new String[] {"DE", "berlin"});
        NodeAgent original = launchAgent(key, "cloned-disk", "DE", "berlin");
        await().atMost(Duration.ofSeconds(10)).until(() -> original.status().state() == AgentStatus.State.CONNECTED);
        java.time.Instant since = original.status().connectedSince();
        String nodeId = original.status().nodeId();

        NodeAgent copy = launchAgent(key, "cloned-disk", "DE", "berlin");

        await().atMost(Duration.ofSeconds(10)).until(() -> copy.status().state() == AgentStatus.State.DUPLICATE_DEVICE);
        assertThat(copy.status().lastError()).contains("already connected").contains("proxyclaw reset-id");
        await().atMost(Duration.ofSeconds(5)).until(() -> idClashes.contains(nodeId + " 127.0.0.1"));
        // The copy waits minutes, not seconds: the original is not knocked off again and again.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                original.status().state() == AgentStatus.State.CONNECTED
                        && since.equals(original.status().connectedSince())
                        && copy.status().state() == AgentStatus.State.DUPLICATE_DEVICE);
        assertThat(original.status().reconnects()).isZero();
        assertThat(original.status().nodeId()).isEqualTo(nodeId);
        assertThat(gateway.nodes().connectedNodes()).hasSize(1);
        Curl.Result r = Curl.run("-x", proxy("-country-de-debug-1"), origin.url("/bytes/1000"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("X-IPLoop-Node")).isEqualTo(nodeId);
    }

    @Test
    void qualityIsMeasuredFromRealStreamsReportedAndUsedForSpeedAndLatency() throws Exception {
        startAgent("quality-1", "DE", "berlin");
        UUID nodeId = nodeIds.get("quality-1");
        // Not measured yet: speed and latency use measured figures only (docs/exit-quality.md#targeting).
        assertThat(Curl.run("-x", proxy("-speed-fast"), origin.url("/bytes/10")).status()).isEqualTo(503);
        for (int i = 0; i < 5; i++) {
            assertThat(Curl.run("-x", proxy("-country-de"), origin.url("/bytes/1048576")).status()).isEqualTo(200);
        }
        // Loopback is fast and quick: the node now matches speed-fast and latency-low.
        Curl.Result fast = Curl.run("-x", proxy("-speed-fast-latency-low-debug-1"), origin.url("/bytes/10"));
        assertThat(fast.status()).isEqualTo(200);
        assertThat(fast.header("X-IPLoop-Node")).isEqualTo(nodeId.toString());
        assertThat(Curl.run("-x", proxy("-speed-100000"), origin.url("/bytes/10")).status()).isEqualTo(503);
        // The measured score goes to the node store with the counters, and to Prometheus by band.
        await().atMost(Duration.ofSeconds(10)).until(() -> counters.stream()
                .anyMatch(c -> c.nodeId().equals(nodeId) && c.quality() != null && c.quality() >= 80));
        assertThat(meters.find("iploop.nodes.quality").tag("band", "good").gauge().value()).isEqualTo(1);
        // ... with the averages it rests on (docs/exit-quality.md#where-it-shows): every stream succeeded,
        // five 1 MiB bodies timed the throughput, and the loopback answered within the latency-low bound.
        NodeStore.NodeCounters last = counters.stream().filter(c -> c.nodeId().equals(nodeId) && c.quality() != null)
                .reduce((a, b) -> b).orElseThrow();
        assertThat(last.figures()).isNotNull();
        assertThat(last.figures().successShare()).isGreaterThan(0.9);
        assertThat(last.figures().ttfbMillis()).isNotNull().isLessThan(500.0);
        assertThat(last.figures().throughputMbps()).isNotNull().isGreaterThanOrEqualTo(10.0);
    }
}
