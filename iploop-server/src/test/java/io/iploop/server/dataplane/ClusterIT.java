package io.iploop.server.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.testing.ListenPorts;
import io.iploop.server.usage.CountingConnectClient;
import io.iploop.tunnel.TunnelSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster with real processes (issue 18, docs/deploy.md#cluster): two control planes and two
 * gateways, each a separate JVM of the built server jar ({@code --role=control-plane},
 * {@code --role=gateway}), against a PostgreSQL this test starts (shared by all three) and the real
 * Redis on localhost:6379 (under a key prefix of this run). Real node agents connect through a
 * round-robin TCP balancer in front of both node hubs (the "load-balanced address" agents are
 * given), so they spread across the gateways.
 *
 * <p>Checks: a customer on a 10-connection plan gets the 11th connection refused on either
 * gateway; after SIGKILL of one gateway in the middle of traffic, its agents reconnect to the
 * survivor within 60 s, a sticky session on the survivor keeps its exit, and the usage stored is
 * never more than the client carried (nothing twice) and misses nothing the survivor carried nor
 * anything the killed gateway carried before its last flush; and no scheduled job ran twice in one
 * tick across the two control planes (ShedLock).
 */
@Timeout(900)
class ClusterIT {

    static final Duration FLUSH = Duration.ofSeconds(1);
    static final Duration SLACK = Duration.ofSeconds(1);
    static final int BODY = 16 * 1024;
    static final int AGENTS = 4;
    static final Pattern DEMO_ID = Pattern.compile("Demo customer id\\s*:\\s*(\\S+)");
    static final Pattern DEMO_KEY = Pattern.compile("Demo API key\\s*:\\s*(\\S+)");
    static final Pattern PROXY_PORT = Pattern.compile("Gateway listening on .*HTTP proxy (\\d+)");
    static final String CLUSTER_SECRET = "cluster-it-secret-" + UUID.randomUUID();

    @TempDir
    Path tmp;

    final String redisPrefix = "iploop-cluster-it-" + UUID.randomUUID() + ":";
    EmbeddedPostgres postgres;
    final List<Server> servers = new ArrayList<>();
    final List<NodeAgent> agents = new ArrayList<>();
    HubBalancer balancer;

    /** One server process and its output. */
    record Server(String name, Process process, List<String> output, int httpPort, int proxyPort, int hubPort) {

        boolean logged(String text) {
            return output.stream().anyMatch(l -> l.contains(text));
        }

        String find(Pattern p) {
            for (String line : output) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    return m.group(1);
                }
            }
            return null;
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (NodeAgent a : agents) {
            a.close();
        }
        if (balancer != null) {
            balancer.close();
        }
        for (Server s : servers) {
            if (s.process().isAlive()) {
                s.process().destroy();
                if (!s.process().waitFor(30, TimeUnit.SECONDS)) {
                    s.process().destroyForcibly();
                }
            }
        }
        if (postgres != null) {
            postgres.close();
        }
        RedisClient client = RedisClient.create("redis://localhost:6379");
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> keys = c.sync().keys(redisPrefix + "*");
            if (!keys.isEmpty()) {
                c.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }

    @Test
    void limitsHoldAcrossGatewaysAndTheClusterSurvivesAKilledGateway() throws Exception {
        postgres = EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("pg")).setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "localhost").start();
        String jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";

        Server cp = start("control-plane", jdbcUrl, List.of("--role=control-plane"));
        // The first-start banner (with the demo customer) is printed once the application is ready.
        await().atMost(Duration.ofSeconds(240)).until(() -> cp.find(DEMO_KEY) != null || !cp.process().isAlive());
        assertThat(cp.process().isAlive()).as("control plane running").isTrue();
        String customerId = cp.find(DEMO_ID);
        String key = cp.find(DEMO_KEY);
        assertThat(customerId).isNotNull();
        // The customer's plan: 10 connections at once (docs/product/plans.md#rate-limits).
        sql(jdbcUrl, """
                UPDATE plans SET max_concurrent_connections = 10
                WHERE id = (SELECT up.plan_id FROM user_plans up JOIN users u ON u.id = up.user_id
                            WHERE u.customer_id = ? AND up.status = 'active' ORDER BY up.started_at DESC LIMIT 1)""",
                customerId);

        // The first gateway also runs a local node, which issues the node key the test's agents use.
        Server g1 = start("gateway-1", jdbcUrl, List.of("--role=gateway", "--local-node"));
        Server g2 = start("gateway-2", jdbcUrl, List.of("--role=gateway"));
        // A second control-plane replica: same database, same jobs (ShedLock runs each tick once).
        Server cp2 = start("control-plane-2", jdbcUrl, List.of("--role=control-plane"));
        for (Server g : List.of(g1, g2, cp2)) {
            await().atMost(Duration.ofSeconds(300)).until(() -> g.logged("Started Iploop") || !g.process().isAlive());
            assertThat(g.process().isAlive()).as(g.name() + " running").isTrue();
        }
        assertThat(httpStatus(cp2.httpPort(), "/actuator/health")).isEqualTo(200);
        for (Server g : List.of(g1, g2)) {
            await().atMost(Duration.ofSeconds(240)).until(() -> g.logged("Gateway listening on") || !g.process().isAlive());
            assertThat(g.process().isAlive()).as(g.name() + " running").isTrue();
        }
        // A gateway serves health and metrics only; the control plane serves no proxy.
        assertThat(httpStatus(g2.httpPort(), "/actuator/health")).isEqualTo(200);
        assertThat(httpStatus(g2.httpPort(), "/api/plans")).isEqualTo(404);
        assertThat(cp.logged("Gateway listening on")).isFalse();

        Path nodeKeyFile = tmp.resolve("gateway-1").resolve("local-node.key");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(nodeKeyFile));
        String nodeKey = Files.readString(nodeKeyFile).strip();
        balancer = new HubBalancer(List.of(g1.hubPort(), g2.hubPort()));
        for (int i = 0; i < AGENTS; i++) {
            NodeAgent agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + balancer.port() + "/ws"), nodeKey,
                    "cluster-it-" + i, "cluster agent " + i, "DE", null, null, 0, null, "ethernet", true, true, List.of(),
                    List.of(), TunnelSettings.DEFAULTS));
            agent.start();
            agents.add(agent);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> agents.stream()
                .allMatch(a -> a.status().state() == AgentStatus.State.CONNECTED));
        assertThat(balancer.connectionsTo(g1.hubPort())).as("agents on gateway 1").isPositive();
        assertThat(balancer.connectionsTo(g2.hubPort())).as("agents on gateway 2").isPositive();

        try (TestOrigin origin = TestOrigin.http()) {
            // --- a 10-connection plan: 10 tunnels spread over both gateways, the 11th refused on either.
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    Server g = i % 2 == 0 ? g1 : g2;
                    Socket s = new Socket("127.0.0.1", g.proxyPort());
                    held.add(s);
                    assertThat(connect(s, customerId, key, origin.port())).as("tunnel %d via %s", i + 1, g.name())
                            .startsWith("HTTP/1.1 200");
                }
                Thread.sleep(1000); // both gateways exchanged their counts (every 100 ms)
                for (Server g : List.of(g1, g2)) {
                    try (Socket s = new Socket("127.0.0.1", g.proxyPort())) {
                        assertThat(connect(s, customerId, key, origin.port())).as("11th tunnel via " + g.name())
                                .startsWith("HTTP/1.1 429");
                    }
                }
                held.removeFirst().close();
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(300)).until(() -> {
                    Socket s = new Socket("127.0.0.1", g2.proxyPort());
                    if (connect(s, customerId, key, origin.port()).startsWith("HTTP/1.1 200")) {
                        held.add(s);
                        return true;
                    }
                    s.close();
                    return false;
                });
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            Thread.sleep(1000);

            // --- a sticky session through the survivor-to-be.
            String stickyPassword = key + "-session-clusterit-sesstype-sticky-lifetime-30";
            assertThat(CountingConnectClient.exchange(g2.proxyPort(), customerId, stickyPassword, origin.port(), 100).ok())
                    .isTrue();
            String pinnedNode = await().atMost(Duration.ofSeconds(10)).until(this::stickyNode, v -> v != null);

            // --- traffic through both gateways; gateway 1 is killed in the middle of it.
            Thread.sleep(3000); // the usage of everything before is flushed
            long before = stored(jdbcUrl, customerId);
            List<long[]> viaG1 = new CopyOnWriteArrayList<>();
            List<long[]> viaG2 = new CopyOnWriteArrayList<>();
            AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
            Thread killer = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(5000);
                } catch (InterruptedException e) {
                    return;
                }
                killedAt.set(System.currentTimeMillis());
                g1.process().destroyForcibly(); // SIGKILL
            });
            long until = System.currentTimeMillis() + 8000;
            int i = 0;
            while (System.currentTimeMillis() < until) {
                Server g = i++ % 2 == 0 ? g1 : g2;
                CountingConnectClient.Exchange e = CountingConnectClient.exchange(g.proxyPort(), customerId, key, origin.port(), BODY);
                (g == g1 ? viaG1 : viaG2).add(new long[] {e.sent() + e.received(), System.currentTimeMillis()});
            }
            killer.join();
            assertThat(g1.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(g1.process().exitValue()).as("gateway 1 killed with SIGKILL").isEqualTo(137);

            // --- the agents of gateway 1 reconnect to the survivor within 60 s.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> agents.stream()
                    .allMatch(a -> a.status().state() == AgentStatus.State.CONNECTED)
                    && balancer.liveConnectionsTo(g1.hubPort()) == 0);
            System.out.printf("agents reconnected to the survivor %d ms after the kill%n",
                    System.currentTimeMillis() - killedAt.get());
            assertThat(balancer.liveConnectionsTo(g2.hubPort())).isEqualTo(AGENTS);

            // --- usage: nothing twice; nothing the survivor carried, nor the killed gateway's flushed part, lost.
            long total = sum(viaG1, Long.MAX_VALUE) + sum(viaG2, Long.MAX_VALUE);
            long safe = sum(viaG1, killedAt.get() - FLUSH.plus(SLACK).toMillis()) + sum(viaG2, Long.MAX_VALUE);
            await().atMost(Duration.ofSeconds(30)).until(() -> stored(jdbcUrl, customerId) - before >= safe);
            Thread.sleep(3000); // anything stored twice would show now
            long stored = stored(jdbcUrl, customerId) - before;
            System.out.printf("cluster: client carried %d bytes (%d requests via gateway 1, %d via gateway 2), safe %d, stored %d%n",
                    total, viaG1.size(), viaG2.size(), safe, stored);
            assertThat(stored).as("nothing stored twice").isLessThanOrEqualTo(total);
            assertThat(stored).as("nothing the survivor carried lost").isGreaterThanOrEqualTo(safe);

            // --- the sticky session keeps its exit on the survivor.
            for (int r = 0; r < 3; r++) {
                assertThat(CountingConnectClient.exchange(g2.proxyPort(), customerId, stickyPassword, origin.port(), 100).ok())
                        .isTrue();
            }
            Thread.sleep(2000); // the pins are saved about once a second
            assertThat(stickyNode()).as("sticky exit").isEqualTo(pinnedNode);
        }

        // --- jobs: no job ran twice in one tick across the two control-plane replicas: consecutive
        // runs of a job (both replicas' logs merged) are about a cron period apart, never a moment.
        // Until a once-a-minute job has run on two ticks (up to three minutes on a slow machine).
        await().atMost(Duration.ofSeconds(200)).pollInterval(Duration.ofSeconds(2)).until(() -> jobRuns(cp, cp2).values()
                .stream().anyMatch(t -> minuteJob(t)));
        Map<String, List<Long>> runs = jobRuns(cp, cp2);
        System.out.println("scheduled job runs on both control planes (ms of day): " + runs);
        assertThat(runs).as("some jobs ran").isNotEmpty();
        // Jobs ticking once a minute or slower (their typical gap is a minute) must never show two runs
        // less than 30 s apart; jobs ticking every few seconds cannot be told apart from log times on
        // a loaded machine and are left out.
        AtomicInteger checked = new AtomicInteger();
        runs.forEach((job, times) -> {
            java.util.Collections.sort(times);
            List<Long> gaps = new ArrayList<>();
            for (int r = 1; r < times.size(); r++) {
                gaps.add(times.get(r) - times.get(r - 1));
            }
            if (!minuteJob(times)) {
                return;
            }
            checked.incrementAndGet();
            assertThat(gaps).as("%s: gaps between runs, ms", job).allSatisfy(g -> assertThat(g).isGreaterThan(30_000));
        });
        assertThat(checked.get()).as("once-a-minute jobs checked").isPositive();
    }

    /** Whether runs logged at {@code times} (sorted) are those of a job ticking once a minute or slower. */
    static boolean minuteJob(List<Long> times) {
        List<Long> gaps = new ArrayList<>();
        for (int r = 1; r < times.size(); r++) {
            gaps.add(times.get(r) - times.get(r - 1));
        }
        List<Long> sorted = gaps.stream().sorted().toList();
        return !sorted.isEmpty() && sorted.get(sorted.size() / 2) >= 50_000;
    }

    /** Per job, the times (ms of the day, sorted) its runs were logged on either control plane. */
    static Map<String, List<Long>> jobRuns(Server... controlPlanes) {
        Map<String, List<Long>> runs = new java.util.TreeMap<>();
        for (Server c : controlPlanes) {
            for (String line : c.output()) {
                Matcher m = JOB_RUN.matcher(line);
                if (m.find()) {
                    runs.computeIfAbsent(m.group(2), k -> new ArrayList<>())
                            .add(java.time.LocalTime.parse(m.group(1)).toNanoOfDay() / 1_000_000);
                }
            }
        }
        runs.values().forEach(java.util.Collections::sort);
        return runs;
    }

    /** A job run's log line ("job NAME: summary (N ms)"), with the time it was logged. */
    static final Pattern JOB_RUN = Pattern.compile("(\\d{2}:\\d{2}:\\d{2}[.]\\d{3}).*\\bjob ([\\w.-]+): ");

    static long sum(List<long[]> exchanges, long doneBefore) {
        return exchanges.stream().filter(e -> e[1] < doneBefore).mapToLong(e -> e[0]).sum();
    }

    /** The exit node of the sticky session as the shared store (Redis) holds it, or null. */
    String stickyNode() {
        RedisClient client = RedisClient.create("redis://localhost:6379");
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> keys = c.sync().keys(redisPrefix + "sticky:*:clusterit");
            if (keys.isEmpty()) {
                return null;
            }
            String v = c.sync().get(keys.getFirst());
            return v == null ? null : v.split(" ")[1];
        } finally {
            client.shutdown();
        }
    }

    Server start(String name, String jdbcUrl, List<String> args) throws IOException {
        int http = freePort();
        int proxy = freePort();
        int hub = freePort();
        Path jar = Path.of("target", "iploop-server.jar");
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-Xmx320m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        if (Files.exists(jar)) {
            command.addAll(List.of("-jar", jar.toString()));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.iploop.server.IploopMain"));
        }
        command.add("server");
        command.addAll(args);
        command.addAll(List.of("--data-dir", tmp.resolve(name).toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("IPLOOP_DB_URL", jdbcUrl);
        env.put("IPLOOP_DB_USER", "postgres");
        env.put("IPLOOP_DB_PASSWORD", "postgres");
        env.put("IPLOOP_REDIS_URL", "redis://localhost:6379");
        env.put("IPLOOP_REDIS_KEY_PREFIX", redisPrefix);
        env.put("IPLOOP_DEMO_CUSTOMER", "true");
        env.put("IPLOOP_EGRESS_ALLOW_LOOPBACK", "true");
        env.put("IPLOOP_BIND_ADDRESS", "127.0.0.1");
        env.put("IPLOOP_HTTP_PORT", Integer.toString(http));
        env.put("IPLOOP_PROXY_PORT", Integer.toString(proxy));
        env.put("IPLOOP_SOCKS_PORT", "0");
        env.put("IPLOOP_NODE_HUB_PORT", Integer.toString(hub));
        for (String tlsPort : List.of("IPLOOP_PROXY_TLS_PORT", "IPLOOP_SOCKS_TLS_PORT", "IPLOOP_NODE_HUB_TLS_PORT")) {
            env.put(tlsPort, "-1");
        }
        env.put("IPLOOP_USAGE_FLUSH_INTERVAL", FLUSH.toMillis() + "ms");
        // Several gateways on one host: each relay listener on a port of its own; one cluster secret.
        env.put("IPLOOP_RELAY_PORT", "0");
        env.put("IPLOOP_CLUSTER_SECRET", CLUSTER_SECRET);
        env.put("IPLOOP_SMTP_HOST", "");
        Process p = pb.start();
        List<String> output = new CopyOnWriteArrayList<>();
        Path log = tmp.resolve(name + ".log");
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    if (line.contains("ERROR") || line.contains("Exception")) {
                        System.out.println(name + ": " + line);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
        Server s = new Server(name, p, output, http, proxy, hub);
        servers.add(s);
        return s;
    }

    /** Sends a CONNECT on {@code s} and answers the status line (the tunnel stays open on 200). */
    static String connect(Socket s, String customerId, String key, int originPort) throws IOException {
        s.setSoTimeout(15_000);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        String auth = Base64.getEncoder().encodeToString((customerId + ":" + key).getBytes(StandardCharsets.US_ASCII));
        out.write(("CONNECT 127.0.0.1:" + originPort + " HTTP/1.1\r\nHost: 127.0.0.1:" + originPort
                + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        StringBuilder head = new StringBuilder();
        for (int c; !head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0; ) {
            head.append((char) c);
        }
        String line = head.toString().lines().findFirst().orElse("");
        return line.strip();
    }

    static int httpStatus(int port, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    static void sql(String jdbcUrl, String sql, String arg) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    static long stored(String jdbcUrl, String customerId) {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
                PreparedStatement ps = c.prepareStatement("""
                        SELECT COALESCE(sum(u.bytes_uploaded + u.bytes_downloaded), 0)
                        FROM usage_records u JOIN users a ON a.id = u.user_id WHERE a.customer_id = ?""")) {
            ps.setString(1, customerId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (Exception e) {
            return -1;
        }
    }

    static int freePort() throws IOException {
        return ListenPorts.free();
    }

    /**
     * A round-robin TCP balancer in front of the node hubs, as an operator's load balancer would
     * be: each new connection goes to the next backend that accepts it (a dead one is skipped).
     */
    static final class HubBalancer implements AutoCloseable {

        private final ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        private final List<Integer> backends;
        private final AtomicInteger next = new AtomicInteger();
        private final Map<Integer, AtomicInteger> total = new ConcurrentHashMap<>();
        private final Map<Integer, AtomicInteger> live = new ConcurrentHashMap<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        HubBalancer(List<Integer> backends) throws IOException {
            this.backends = backends;
            Thread.ofVirtual().start(this::accept);
        }

        int port() {
            return server.getLocalPort();
        }

        int connectionsTo(int backend) {
            return total.getOrDefault(backend, new AtomicInteger()).get();
        }

        int liveConnectionsTo(int backend) {
            return live.getOrDefault(backend, new AtomicInteger()).get();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    sockets.add(client);
                    Thread.ofVirtual().start(() -> route(client));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void route(Socket client) {
            for (int attempt = 0; attempt < backends.size(); attempt++) {
                int backend = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
                Socket upstream = new Socket();
                try {
                    upstream.connect(new InetSocketAddress("127.0.0.1", backend), 1000);
                } catch (IOException e) {
                    continue;
                }
                sockets.add(upstream);
                total.computeIfAbsent(backend, b -> new AtomicInteger()).incrementAndGet();
                AtomicInteger liveCount = live.computeIfAbsent(backend, b -> new AtomicInteger());
                liveCount.incrementAndGet();
                AtomicInteger ended = new AtomicInteger();
                Runnable done = () -> {
                    if (ended.incrementAndGet() == 1) {
                        liveCount.decrementAndGet();
                    }
                    closeQuietly(client);
                    closeQuietly(upstream);
                };
                Thread.ofVirtual().start(() -> pipe(client, upstream, done));
                Thread.ofVirtual().start(() -> pipe(upstream, client, done));
                return;
            }
            closeQuietly(client);
        }

        private static void pipe(Socket from, Socket to, Runnable done) {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side ended
            } finally {
                done.run();
            }
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException e) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                closeQuietly(s);
            }
        }
    }
}
