package io.iploop.bench;

import io.iploop.gateway.Gateway;
import io.iploop.gateway.GatewayConfig;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeAuthenticator;
import io.iploop.gateway.spi.NodeHello;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.PoolGrant;
import io.iploop.gateway.spi.PoolReload;
import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.gateway.spi.PoolUpstreamSource;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.spi.UsageSink;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs the IPLoop data plane for {@code bench.sh} without a database: a {@link Gateway} with
 * in-memory SPI implementations (one fixed customer and API key, every node admitted into
 * country {@code US}, a counting usage sink, a no-op node store) and/or one {@link NodeAgent}
 * connected to it, all on loopback with loopback egress allowed.
 *
 * <pre>
 * DataPlaneHarness gateway [--http-port=N] [--socks-port=N] [--hub-port=N] [--node-wait-seconds=N]
 * DataPlaneHarness agent   [--hub-port=N] [--device-id=ID]
 * DataPlaneHarness all     [ports as above]   (gateway and agent in one JVM)
 * DataPlaneHarness hub     [ports as above] [--max-node-sessions=N] [--node-heartbeat-ms=N]   (for node-sim.sh: no node awaited;
 *                          the idle heartbeat the hub asks nodes for, default 60 000; 10 000 is the hub before it was raised)
 * DataPlaneHarness pool    --upstream-port=N [--pool-port=N]   (for pool-bench.sh: one pool port to an HTTP upstream)
 * DataPlaneHarness pool-ports --upstream-port=N [--pool-port=N] [--count=N]   (memory of N bound pool ports, then exits)
 * </pre>
 *
 * <p>The gateway mode prints {@code LISTENING …} once bound and {@code READY …} (with the proxy
 * credentials) once a node is connected; the agent mode prints {@code READY …} once welcomed.
 * Everything else goes to stderr. Both run until killed; the shutdown hook closes them and prints
 * the metered usage totals. Not thread-safe beyond what the gateway and agent themselves are.
 */
public final class DataPlaneHarness {

    /** The proxy username (public customer id) the harness accepts. */
    public static final String CUSTOMER_ID = "bench";

    /** The API key the harness accepts ({@code iploop_} + 48 hex). */
    public static final String API_KEY = "iploop_" + "0123456789abcdef".repeat(3);

    /** The node key the agent logs in with ({@code ipn_} + 48 hex); any key is admitted. */
    public static final String NODE_KEY = "ipn_" + "fedcba9876543210".repeat(3);

    private static final UUID USER_ID = UUID.nameUUIDFromBytes("iploop-bench-user".getBytes(StandardCharsets.UTF_8));
    private static final UUID API_KEY_ID = UUID.nameUUIDFromBytes("iploop-bench-key".getBytes(StandardCharsets.UTF_8));
    private static final UUID OPERATOR_ID = UUID.nameUUIDFromBytes("iploop-bench-operator".getBytes(StandardCharsets.UTF_8));

    private DataPlaneHarness() {}

    /**
     * Entry point; see the class Javadoc for the modes and options.
     *
     * @param args mode followed by {@code --name=value} options
     * @throws Exception if the gateway or agent fails to start
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage("missing mode");
        }
        Map<String, String> opts = parseOptions(args);
        int httpPort = intOpt(opts, "http-port", 17777);
        int socksPort = intOpt(opts, "socks-port", 11081);
        int hubPort = intOpt(opts, "hub-port", 18001);
        int nodeWaitSeconds = intOpt(opts, "node-wait-seconds", 60);
        int maxNodeSessions = intOpt(opts, "max-node-sessions", 0);
        int heartbeat = intOpt(opts, "node-heartbeat-ms", TunnelSettings.NODE_HUB_DEFAULTS.heartbeatIntervalMillis());
        TunnelSettings hubSettings = TunnelSettings.NODE_HUB_DEFAULTS.withHeartbeat(heartbeat, heartbeat / 2 * 5);
        String deviceId = opts.getOrDefault("device-id", "bench-node-1");
        PrintStream out = System.out;
        switch (args[0]) {
            case "gateway" -> {
                Gateway gateway = startGateway(httpPort, socksPort, hubPort, 0, hubSettings, out);
                awaitNode(gateway, nodeWaitSeconds, out);
            }
            case "agent" -> startAgent(hubPort, deviceId, out);
            case "hub" -> {
                // For node-sim.sh: no node awaited. The simulator reads this process's CPU, RSS and heap
                // from outside (/proc, jcmd); no periodic full GC here, it would be counted as heartbeat CPU.
                startGateway(httpPort, socksPort, hubPort, maxNodeSessions, hubSettings, out);
            }
            case "all" -> {
                Gateway gateway = startGateway(httpPort, socksPort, hubPort, 0, hubSettings, out);
                startAgent(gateway.nodeHubPort(), deviceId, out);
                awaitNode(gateway, nodeWaitSeconds, out);
            }
            case "pool" -> startPool(intOpt(opts, "pool-port", 14000), intOpt(opts, "upstream-port", 13128), out);
            case "pool-ports" -> {
                poolPortsMemory(intOpt(opts, "pool-port", 20000), intOpt(opts, "upstream-port", 13128),
                        intOpt(opts, "count", 1000), out);
                System.exit(0);
            }
            default -> usage("unknown mode '" + args[0] + "'");
        }
        new CountDownLatch(1).await();
    }

    private static Gateway startGateway(int httpPort, int socksPort, int hubPort, int maxNodeSessions, TunnelSettings tunnel,
            PrintStream out) throws Exception {
        GatewayConfig config = new GatewayConfig("127.0.0.1", httpPort, socksPort, hubPort, true, List.of(), List.of(),
                Duration.ofSeconds(5), Duration.ofSeconds(1), tunnel);
        CountingUsageSink usage = new CountingUsageSink();
        Gateway gateway = Gateway.builder(config)
                .proxyAuthenticator(new FixedKeyAuthenticator(CUSTOMER_ID, KeyHashes.sha256Hex(API_KEY)))
                .nodeAuthenticator(new AdmitAllNodeAuthenticator())
                .usageSink(usage)
                .nodeStore(NodeStore.NONE)
                .meterRegistry(new SimpleMeterRegistry())
                .maxNodeSessions(maxNodeSessions)
                .build();
        gateway.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            System.err.println("usage: " + usage);
        }, "harness-gateway-shutdown"));
        out.println("LISTENING http=" + gateway.httpProxyPort() + " socks=" + gateway.socksPort()
                + " hub=" + gateway.nodeHubPort());
        out.flush();
        return gateway;
    }

    /**
     * The pool grant of the benchmark: every limit switched on (threads, QPS, per-IP, shaping, quota,
     * expiry), each set far above what the load reaches, so the checks run on every request without
     * refusing any.
     */
    private static PoolGrant benchGrant() {
        return new PoolGrant(List.of(), 100_000, 10_000_000, 100_000_000_000L, 1_000_000_000_000L, 100_000, 10_000_000,
                1_000_000_000_000_000L, Instant.now().plus(Duration.ofDays(1)));
    }

    private static Gateway poolGateway(int firstPort, int lastPort, PoolUpstreamSource upstreams, CountingUsageSink usage)
            throws Exception {
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0, 0, 0, true, List.of(), List.of(),
                Duration.ofSeconds(5), Duration.ofSeconds(1), TunnelSettings.DEFAULTS);
        PoolGrant grant = benchGrant();
        Gateway gateway = Gateway.builder(config)
                .proxyAuthenticator(new FixedKeyAuthenticator(CUSTOMER_ID, KeyHashes.sha256Hex(API_KEY)))
                .usageSink(usage)
                .withoutNodeHub()
                .directExit(true)
                .meterRegistry(new SimpleMeterRegistry())
                .poolUpstreams(upstreams)
                .poolAccess(userId -> grant)
                .poolPortRange(firstPort, lastPort)
                .poolReloadInterval(Duration.ofHours(1)) // reloaded explicitly
                .build();
        gateway.start();
        return gateway;
    }

    /** One pool port to an HTTP upstream (Squid) on loopback, limits and metering on; prints READY with the credentials. */
    private static void startPool(int poolPort, int upstreamPort, PrintStream out) throws Exception {
        CountingUsageSink usage = new CountingUsageSink();
        List<PoolUpstream> upstreams = List.of(
                new PoolUpstream(poolPort, PoolUpstream.Scheme.HTTP, "127.0.0.1", upstreamPort, null, null));
        Gateway gateway = poolGateway(poolPort, poolPort, () -> upstreams, usage);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            System.err.println("usage: " + usage);
        }, "harness-pool-shutdown"));
        PoolReload r = gateway.reloadPool().get(30, java.util.concurrent.TimeUnit.SECONDS); // start() applied the list
        if (gateway.poolStatus().stream().noneMatch(p -> p.port() == poolPort
                && p.state() != io.iploop.gateway.spi.PoolPortStatus.State.BIND_FAILED)) {
            System.err.println("pool port " + poolPort + " not bound: " + gateway.poolStatus() + " " + r.failures());
            System.exit(3);
        }
        out.println("READY pool=" + poolPort + " user=" + CUSTOMER_ID + " pass=" + API_KEY);
        out.flush();
    }

    /**
     * Heap (used after full GCs) and resident set of this JVM with the pool gateway running and no pool
     * port bound, then with {@code count} bound (all to one upstream); prints {@code PORTS} lines.
     */
    private static void poolPortsMemory(int firstPort, int upstreamPort, int count, PrintStream out) throws Exception {
        List<PoolUpstream> upstreams = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Gateway gateway = poolGateway(firstPort, firstPort + count - 1, () -> List.copyOf(upstreams),
                new CountingUsageSink())) {
            gateway.reloadPool().get(30, java.util.concurrent.TimeUnit.SECONDS);
            long[] before = memory();
            for (int i = 0; i < count; i++) {
                upstreams.add(new PoolUpstream(firstPort + i, PoolUpstream.Scheme.HTTP, "127.0.0.1", upstreamPort, null, null));
            }
            PoolReload r = gateway.reloadPool().get(120, java.util.concurrent.TimeUnit.SECONDS);
            long[] after = memory();
            out.println("PORTS bound=0 heapBytes=" + before[0] + " rssBytes=" + before[1] + " fds=" + before[2]);
            out.println("PORTS bound=" + r.added() + " heapBytes=" + after[0] + " rssBytes=" + after[1] + " fds=" + after[2]
                    + " failures=" + r.failures().size());
            out.flush();
        }
    }

    /** Heap used after full GCs, resident set size (bytes) and open file descriptors of this JVM. */
    private static long[] memory() throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(300);
        }
        long heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rss = 0;
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        long fds;
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            fds = s.count();
        }
        return new long[] {heap, rss, fds};
    }

    private static void awaitNode(Gateway gateway, int waitSeconds, PrintStream out) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        while (gateway.nodes().connectedNodes().isEmpty()) {
            if (System.nanoTime() - deadline > 0) {
                System.err.println("no node connected within " + waitSeconds + " s");
                System.exit(3);
            }
            Thread.sleep(20);
        }
        out.println("READY http=" + gateway.httpProxyPort() + " socks=" + gateway.socksPort()
                + " hub=" + gateway.nodeHubPort() + " user=" + CUSTOMER_ID + " pass=" + API_KEY
                + " nodes=" + gateway.nodes().connectedNodes().size());
        out.flush();
    }

    private static void startAgent(int hubPort, String deviceId, PrintStream out) throws InterruptedException {
        AgentConfig config = new AgentConfig(URI.create("ws://127.0.0.1:" + hubPort + "/ws"), NODE_KEY, deviceId,
                "iploop-bench", "US", null, null, 0, null, "ethernet", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS);
        NodeAgent agent = new NodeAgent(config);
        agent.start();
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "harness-agent-shutdown"));
        AgentStatus status = agent.status();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (status.state() != AgentStatus.State.CONNECTED) {
            if (System.nanoTime() - deadline > 0) {
                System.err.println("agent not connected within 60 s: " + status);
                System.exit(3);
            }
            Thread.sleep(20);
            status = agent.status();
        }
        out.println("READY agent node=" + status.nodeId() + " device=" + deviceId);
        out.flush();
    }

    private static Map<String, String> parseOptions(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                usage("bad option '" + a + "' (expected: --name=value)");
            }
            opts.put(a.substring(2, eq), a.substring(eq + 1));
        }
        return opts;
    }

    private static int intOpt(Map<String, String> opts, String name, int defaultValue) {
        String v = opts.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            usage("--" + name + ": " + v + " (expected: an integer)");
            return defaultValue;
        }
    }

    private static void usage(String problem) {
        System.err.println("DataPlaneHarness: " + problem + "\nusage: DataPlaneHarness gateway|agent|all"
                + " [--http-port=N] [--socks-port=N] [--hub-port=N] [--node-wait-seconds=N] [--device-id=ID]");
        System.exit(2);
    }

    /** Accepts exactly one customer id and key hash. Thread-safe (immutable). */
    private record FixedKeyAuthenticator(String customerId, String keySha256Hex) implements ProxyAuthenticator {
        @Override
        public CompletionStage<AuthResult> authenticate(String customerId, String apiKeySha256Hex, InetAddress clientAddress) {
            AuthResult result = this.customerId.equals(customerId) && keySha256Hex.equals(apiKeySha256Hex)
                    ? new AuthResult.Accepted(new CustomerPrincipal(USER_ID, customerId, API_KEY_ID))
                    : new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown customer or key");
            return CompletableFuture.completedFuture(result);
        }
    }

    /** Admits every node into country {@code US}, node id derived from the device id. Thread-safe (stateless). */
    private static final class AdmitAllNodeAuthenticator implements NodeAuthenticator {
        @Override
        public CompletionStage<NodeAdmission> admit(NodeHello hello) {
            UUID nodeId = UUID.nameUUIDFromBytes(hello.deviceId().getBytes(StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(
                    new NodeAdmission.Admitted(nodeId, OPERATOR_ID, "US", null, null, 0, null, hello.connectionType()));
        }
    }

    /** Counts records and bytes; stores nothing. Thread-safe. */
    private static final class CountingUsageSink implements UsageSink {
        private final LongAdder records = new LongAdder();
        private final LongAdder requests = new LongAdder();
        private final LongAdder bytesDown = new LongAdder();
        private final LongAdder bytesUp = new LongAdder();
        private final LongAdder failures = new LongAdder();

        @Override
        public void write(List<UsageRecord> batch) {
            for (UsageRecord r : batch) {
                records.increment();
                requests.add(r.requestCount());
                bytesDown.add(r.bytesDownloaded());
                bytesUp.add(r.bytesUploaded());
                if (!r.success()) {
                    failures.increment();
                }
            }
        }

        @Override
        public String toString() {
            return "records=" + records.sum() + " requests=" + requests.sum() + " bytesDownloaded=" + bytesDown.sum()
                    + " bytesUploaded=" + bytesUp.sum() + " failed=" + failures.sum();
        }
    }
}
