package io.iploop.server.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.TestOrigin;
import io.iploop.server.testing.ListenPorts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault suite's SIGKILL of the whole server (issue 11, docs/operations.md#usage-journal): the
 * server runs as a child process ({@code IploopMain server --local-node}, on this test's classpath)
 * against a PostgreSQL this test owns, a real client sends CONNECT traffic through its gateway and
 * local node, the server is killed with SIGKILL, and started again on the same data directory. The
 * usage stored then is never more than the client carried (nothing twice) and misses at most what
 * was carried in the last flush interval before the kill (plus the stream open at that moment).
 */
@Timeout(600)
class ServerKillIT {

    /** The server's flush interval (the default). */
    static final Duration FLUSH = Duration.ofSeconds(1);
    /** Scheduling slack on a shared 2-core machine, on top of the flush interval. */
    static final Duration SLACK = Duration.ofSeconds(1);
    static final int BODY = 32 * 1024;
    /** How long the client sends traffic before the kill. */
    static final Duration TRAFFIC = Duration.ofSeconds(8);
    static final Pattern DEMO_ID = Pattern.compile("Demo customer id\\s*:\\s*(\\S+)");
    static final Pattern DEMO_KEY = Pattern.compile("Demo API key\\s*:\\s*(\\S+)");

    @TempDir
    Path tmp;

    EmbeddedPostgres postgres;
    Process server;
    final List<String> output = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /** One request's bytes as the client counted them, and when it completed. */
    record Carried(long sent, long received, long doneAtMillis) {}

    @Test
    void afterSigkillTheRestartedServerStoresTheJournaledUsageAndNothingTwice() throws Exception {
        postgres = EmbeddedPostgres.builder().setDataDirectory(tmp.resolve("pg")).setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "localhost").start();
        String jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
        Path dataDir = tmp.resolve("data");
        int[] ports = {freePort(), freePort(), freePort(), freePort()};

        server = startServer(jdbcUrl, dataDir, ports);
        String customerId = await().atMost(Duration.ofSeconds(180)).until(() -> find(DEMO_ID), v -> v != null);
        String key = find(DEMO_KEY);
        List<Carried> carried = new ArrayList<>();
        try (TestOrigin origin = TestOrigin.http()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> request(ports[1], customerId, key, origin.port(), carried));
            long until = System.currentTimeMillis() + TRAFFIC.toMillis();
            while (System.currentTimeMillis() < until) {
                request(ports[1], customerId, key, origin.port(), carried);
            }
        }
        long killedAt = System.currentTimeMillis();
        server.destroyForcibly(); // SIGKILL
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isEqualTo(137);
        long total = carried.stream().mapToLong(c -> c.sent() + c.received()).sum();
        long safe = carried.stream().filter(c -> killedAt - c.doneAtMillis() > FLUSH.plus(SLACK).toMillis())
                .mapToLong(c -> c.sent() + c.received()).sum();

        output.clear();
        server = startServer(jdbcUrl, dataDir, ports);
        await().atMost(Duration.ofSeconds(180)).until(() -> output.stream().anyMatch(l -> l.contains("Started Iploop")));
        await().atMost(Duration.ofSeconds(60)).until(() -> stored(jdbcUrl, customerId) >= safe);
        Thread.sleep(3000); // anything replayed twice would show now
        long stored = stored(jdbcUrl, customerId);
        System.out.printf("client carried %d bytes in %d requests, %d of them more than %s before the kill; stored %d%n",
                total, carried.size(), safe, FLUSH.plus(SLACK), stored);
        assertThat(stored).as("nothing stored twice").isLessThanOrEqualTo(total);
        assertThat(stored).as("at most the last flush interval lost").isGreaterThanOrEqualTo(safe);
    }

    Process startServer(String jdbcUrl, Path dataDir, int[] ports) throws IOException {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), "io.iploop.server.IploopMain", "server", "--local-node",
                "--data-dir", dataDir.toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("IPLOOP_DB_URL", jdbcUrl);
        env.put("IPLOOP_DB_USER", "postgres");
        env.put("IPLOOP_DB_PASSWORD", "postgres");
        env.put("IPLOOP_DEMO_CUSTOMER", "true");
        env.put("IPLOOP_EGRESS_ALLOW_LOOPBACK", "true");
        env.put("IPLOOP_BIND_ADDRESS", "127.0.0.1");
        env.put("IPLOOP_HTTP_PORT", Integer.toString(ports[0]));
        env.put("IPLOOP_PROXY_PORT", Integer.toString(ports[1]));
        env.put("IPLOOP_SOCKS_PORT", Integer.toString(ports[2]));
        env.put("IPLOOP_NODE_HUB_PORT", Integer.toString(ports[3]));
        for (String tlsPort : List.of("IPLOOP_PROXY_TLS_PORT", "IPLOOP_SOCKS_TLS_PORT", "IPLOOP_NODE_HUB_TLS_PORT")) {
            env.put(tlsPort, "-1");
        }
        env.put("IPLOOP_USAGE_FLUSH_INTERVAL", FLUSH.toMillis() + "ms");
        env.put("IPLOOP_JOBS_SCHEDULING_ENABLED", "false");
        Process p = pb.start();
        Path log = tmp.resolve("server-" + System.nanoTime() + ".log");
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            } catch (IOException e) {
                // the process is gone
            }
        });
        return p;
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

    static int freePort() throws IOException {
        return ListenPorts.free();
    }

    /** One CONNECT tunnel with one GET; records the bytes even when it fails. */
    static boolean request(int proxyPort, String customerId, String key, int originPort, List<Carried> carried) {
        CountingConnectClient.Exchange e = CountingConnectClient.exchange(proxyPort, customerId, key, originPort, BODY);
        carried.add(new Carried(e.sent(), e.received(), System.currentTimeMillis()));
        return e.ok();
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
}
