package io.iploop.server.proxysessions;

import static io.iploop.server.testing.Api.call;
import static io.iploop.server.testing.Api.registerUnlimitedCustomer;
import static io.iploop.server.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.testing.Api.Response;
import io.iploop.server.testing.ServerTest;
import io.iploop.server.testing.SharedPlatform;
import io.iploop.tunnel.TunnelSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Issue 14 with {@code IPLOOP_REDIS_URL} set (docs/sticky-sessions-redis.md): the gateway keeps its
 * sticky sessions in the real Redis on 127.0.0.1:6379, through the real server, real node agents and
 * curl. A session keeps its exit across a gateway restart, closing it through the API deletes its
 * key, refreshing it moves the key's expiry, and a Redis outage fails no request.
 *
 * <p>Its own server (own data directory and embedded PostgreSQL), because the shared platform has no
 * Redis. The server reaches Redis through {@link Plug}, a TCP forwarder this test can pull to make
 * Redis unreachable without stopping the machine's Redis; every key lives under a prefix unique to
 * the run and is deleted afterwards. Without a Redis on 6379 every test fails, saying so.
 */
@ServerTest
@ExtendWith(OutputCaptureExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisStickySessionsIT {

    static final InetSocketAddress REDIS = new InetSocketAddress(InetAddress.getLoopbackAddress(), 6379);
    /** Unique per run, so runs (and helpers sharing the machine's Redis) never see each other's keys. */
    static final String PREFIX = "iploop-it-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    static final Plug PLUG;

    static {
        try {
            PLUG = new Plug(REDIS);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void withRedis(DynamicPropertyRegistry r) throws IOException {
        SharedPlatform.embeddedServer(r, Files.createTempDirectory("iploop-it-redis-"));
        r.add("iploop.redis.url", () -> "redis://127.0.0.1:" + PLUG.port());
        r.add("iploop.redis.key-prefix", () -> PREFIX);
    }

    @Autowired
    DataPlane dataPlane;

    @Autowired
    JdbcClient jdbc;

    private @Nullable RedisClient client;
    private @Nullable RedisCommands<String, String> redis;
    private final List<NodeAgent> agents = new ArrayList<>();
    private @Nullable TestOrigin http;
    private String nodeKey;
    private UUID userId;
    private String customerId;
    private String key;
    private String customerToken;

    @BeforeAll
    void redisAndCustomer() throws Exception {
        client = RedisClient.create(RedisURI.create("redis://127.0.0.1:" + REDIS.getPort()));
        try {
            redis = client.connect().sync();
            assertThat(redis.ping()).isEqualTo("PONG");
        } catch (RuntimeException e) {
            throw new AssertionError("No Redis answers on 127.0.0.1:6379. These tests need a real local Redis"
                    + " (Debian: apt-get install redis-server; .ci/run installs it): " + e, e);
        }
        http = TestOrigin.http();
        JsonNode operator = registerUnlimitedCustomer();
        nodeKey = call("POST", "/api/nodes/keys", token(operator), Map.of("name", "redis fleet")).body().get("key").asString();
        JsonNode customer = registerUnlimitedCustomer();
        userId = UUID.fromString(customer.at("/user/id").asString());
        customerId = customer.at("/user/customerId").asString();
        customerToken = token(customer);
        key = call("POST", "/api/proxy/keys", customerToken, Map.of("name", "redis")).body().get("key").asString();
    }

    @AfterAll
    void cleanUp() {
        agents.forEach(NodeAgent::close);
        if (http != null) {
            http.close();
        }
        PLUG.close();
        if (redis != null) {
            List<String> left = keys(PREFIX + "*");
            if (!left.isEmpty()) {
                redis.del(left.toArray(String[]::new));
            }
        }
        if (client != null) {
            client.shutdown();
        }
    }

    private List<String> keys(String pattern) {
        List<String> out = new ArrayList<>();
        ScanIterator.scan(redis, ScanArgs.Builder.matches(pattern).limit(500)).forEachRemaining(out::add);
        return out;
    }

    private String redisKey(String session) {
        return PREFIX + "sticky:" + userId + ":" + session;
    }

    private NodeAgent agent(String deviceId, String country) {
        DataPlane.Ports ports = dataPlane.ports().orElseThrow();
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + ports.nodeHub() + "/ws"), nodeKey, deviceId,
                deviceId, country, null, null, 0, null, "ethernet", false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
        a.start();
        agents.add(a);
        await().atMost(Duration.ofSeconds(15)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        return a;
    }

    private String proxy(String params) {
        return "http://" + customerId + ":" + key + params + "@127.0.0.1:" + dataPlane.ports().orElseThrow().httpProxy();
    }

    /** One request of {@code session} (sticky, 30 min, in Chile), which must succeed; the exit's node id. */
    private String exitOf(String session) throws Exception {
        Curl.Result r = Curl.run("-x", proxy("-country-cl-session-" + session + "-sesstype-sticky-lifetime-30m-debug-1"),
                http.url("/bytes/10"));
        assertThat(r.status()).as("session " + session + ": " + r.stderr()).isEqualTo(200);
        assertThat(r.bodyBytes()).isEqualTo(TestOrigin.expectedBytes(10));
        return r.header("X-IPLoop-Node");
    }

    private @Nullable JsonNode listed(String session) {
        Response r = call("GET", "/api/proxy/sessions", customerToken, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        for (JsonNode s : r.body().get("sessions")) {
            if (s.get("id").asString().equals(session)) {
                return s;
            }
        }
        return null;
    }

    /**
     * Six sticky sessions spread over two exits keep their exits when the gateway stops and starts
     * again; the pins were in Redis (with their expiry as TTL), not in PostgreSQL, so Redis is what
     * carried them over (without a store, all six would keep theirs by chance once in 64 runs).
     */
    @Test
    @Order(1)
    void stickySessionsKeepTheirExitsAcrossAGatewayRestartThroughRedis() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String[] devices = {"redis-cl-a-" + suffix, "redis-cl-b-" + suffix};
        List<NodeAgent> fleet = new ArrayList<>();
        for (String d : devices) {
            fleet.add(agent(d, "CL"));
        }
        Map<String, String> exitBySession = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            String s = "restart" + i + suffix;
            exitBySession.put(s, exitOf(s));
        }
        assertThat(new HashSet<>(exitBySession.values())).as("both exits carry sessions").hasSize(2);
        // In Redis within about a second (batched off the proxy path), expiring with the session.
        await().atMost(Duration.ofSeconds(5)).until(() -> keys(PREFIX + "sticky:" + userId + ":restart*" + suffix).size() == 6);
        for (Map.Entry<String, String> e : exitBySession.entrySet()) {
            assertThat(redis.get(redisKey(e.getKey()))).as("value of " + e.getKey()).contains(e.getValue());
            assertThat(redis.pttl(redisKey(e.getKey()))).as("TTL of " + e.getKey())
                    .isBetween(Duration.ofMinutes(29).toMillis(), Duration.ofMinutes(30).toMillis());
        }
        assertThat(jdbc.sql("SELECT count(*) FROM proxy_sticky_sessions WHERE user_id = ?").params(userId)
                .query(Long.class).single()).as("rows in PostgreSQL's store").isZero();

        fleet.forEach(NodeAgent::close);
        agents.removeAll(fleet);
        dataPlane.stop();
        dataPlane.start();
        for (String d : devices) {
            agent(d, "CL");
        }
        for (Map.Entry<String, String> e : exitBySession.entrySet()) {
            assertThat(exitOf(e.getKey())).as("exit of session " + e.getKey() + " after the restart").isEqualTo(e.getValue());
        }
        JsonNode listed = listed("restart0" + suffix);
        assertThat(listed).as("restart0 listed after the restart").isNotNull();
        assertThat(listed.get("nodeId").asString()).isEqualTo(exitBySession.get("restart0" + suffix));
    }

    /**
     * {@code DELETE /api/proxy/sessions/{id}} deletes the session's key (the next request then gets a
     * new pin, saved again), and {@code POST /api/proxy/sessions/refresh} moves its expiry in Redis.
     */
    @Test
    @Order(2)
    void deleteRemovesTheSessionFromRedisAndRefreshMovesItsExpiry() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        agent("redis-cl-c-" + suffix, "CL");
        String closed = "closed" + suffix;
        String refreshed = "refreshed" + suffix;
        exitOf(closed);
        Curl.Result r = Curl.run("-x", proxy("-country-cl-session-" + refreshed + "-sesstype-sticky-lifetime-2m-debug-1"),
                http.url("/bytes/10"));
        assertThat(r.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.exists(redisKey(closed), redisKey(refreshed)) == 2);
        long ttlBefore = redis.pttl(redisKey(refreshed));
        long expiryBefore = System.currentTimeMillis() + ttlBefore; // when Redis will drop the key
        assertThat(ttlBefore).isBetween(Duration.ofSeconds(100).toMillis(), Duration.ofMinutes(2).toMillis());

        Response deleted = call("DELETE", "/api/proxy/sessions/" + closed, customerToken, null);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.exists(redisKey(closed)) == 0);
        assertThat(listed(closed)).as("closed session listed").isNull();
        assertThat(call("DELETE", "/api/proxy/sessions/" + closed, customerToken, null).status()).isEqualTo(404);

        Thread.sleep(3_000); // so the refreshed expiry is measurably later than the first one
        Response refresh = call("POST", "/api/proxy/sessions/refresh", customerToken, Map.of("id", refreshed));
        assertThat(refresh.status()).as(refresh.toString()).isEqualTo(200);
        long expiresAt = Instant.parse(refresh.body().get("expiresAt").asString()).toEpochMilli();
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.get(redisKey(refreshed)).contains(" " + expiresAt + " "));
        long expiryAfter = System.currentTimeMillis() + redis.pttl(redisKey(refreshed));
        assertThat(expiryAfter - expiryBefore).as("ms the refresh moved the key's expiry in Redis").isGreaterThan(2_000);

        // The closed session's next request is pinned anew, and that pin is in Redis again.
        exitOf(closed);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.exists(redisKey(closed)) == 1);
    }

    /**
     * While Redis is unreachable, sticky and new sessions are served from memory, listed, closed and
     * refreshed without one failed request; the outage is logged once, and once Redis is back the
     * pins made meanwhile reach it.
     */
    @Test
    @Order(3)
    void aRedisOutageFailsNoRequestAndThePinsCatchUpAfterwards(CapturedOutput output) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        agent("redis-cl-d-" + suffix, "CL");
        agent("redis-cl-e-" + suffix, "CL");
        String before = "before" + suffix;
        String exit = exitOf(before);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.exists(redisKey(before)) == 1);
        int logged = output.getAll().length();

        PLUG.unplug();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), PLUG.port()), 1_000);
            throw new AssertionError("Redis is still reachable through the plug");
        } catch (ConnectException expected) {
            // unreachable, as a stopped Redis is
        }
        List<String> during = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        int i = 0;
        while (System.nanoTime() < end) {
            assertThat(exitOf(before)).as("the session made before the outage keeps its exit").isEqualTo(exit);
            String s = "during" + i++ + suffix;
            exitOf(s); // asserts 200
            during.add(s);
            Thread.sleep(300);
        }
        assertThat(during).hasSizeGreaterThan(3);
        assertThat(listed(during.getFirst())).as("a session made during the outage is listed").isNotNull();
        Response refresh = call("POST", "/api/proxy/sessions/refresh", customerToken, Map.of("id", during.getFirst()));
        assertThat(refresh.status()).as(refresh.toString()).isEqualTo(200);
        assertThat(call("DELETE", "/api/proxy/sessions/" + during.getLast(), customerToken, null).status()).isEqualTo(204);
        String log = output.getAll().substring(logged);
        assertThat(occurrences(log, "Could not save")).as("outage warnings in the log:\n" + log).isEqualTo(1);

        PLUG.plug();
        // Lettuce reconnects with a growing delay (up to 30 s); then the hub's retried batch lands.
        String kept = during.get(1);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> redis.exists(redisKey(kept)) == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> occurrences(output.getAll().substring(logged),
                "Sticky sessions are saved again") == 1);
        assertThat(redis.exists(redisKey(during.getLast()))).as("the session closed during the outage").isZero();
        assertThat(exitOf(before)).isEqualTo(exit);
        assertThat(occurrences(output.getAll().substring(logged), "Could not save")).as("outage warnings").isEqualTo(1);
    }

    private static int occurrences(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    /**
     * A TCP forwarder on a fixed loopback port to {@code target}: {@link #unplug()} closes the port
     * and every forwarded connection (clients then see what they see when Redis stops: a reset, then
     * refused connections), {@link #plug()} listens on the same port again. Thread-safe.
     */
    static final class Plug implements AutoCloseable {

        private final InetSocketAddress target;
        private final int port;
        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
        private volatile ServerSocket server;
        private volatile Thread acceptor;

        Plug(InetSocketAddress target) throws IOException {
            this.target = target;
            this.server = belowEphemeralRange();
            this.port = server.getLocalPort();
            accept(server);
        }

        /**
         * A listener on a port below Linux's ephemeral range (32768-60999). On an ephemeral port, once
         * unplugged, a connection to it can succeed anyway: another socket of the machine may be given
         * that port, or the connecting socket itself (a TCP self-connect when its source port is the
         * destination port), and the outage this test needs would not be one.
         */
        private static ServerSocket belowEphemeralRange() throws IOException {
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            IOException last = null;
            for (int attempt = 0; attempt < 50; attempt++) {
                ServerSocket s = new ServerSocket();
                s.setReuseAddress(true);
                try {
                    s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), random.nextInt(20_000, 30_000)), 50);
                    return s;
                } catch (IOException e) {
                    s.close();
                    last = e;
                }
            }
            throw last;
        }

        int port() {
            return port;
        }

        synchronized void unplug() throws IOException {
            server.close();
            // The JDK closes a listening socket for good only once the thread blocked in its accept
            // has left it; until then a connection can still be queued on the port (CI saw one).
            try {
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while unplugging", e);
            }
            for (Socket s : sockets) {
                s.close();
            }
            sockets.clear();
        }

        synchronized void plug() throws IOException {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            server = s;
            accept(s);
        }

        private void accept(ServerSocket listener) {
            acceptor = Thread.ofPlatform().daemon().name("redis-plug").start(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket in = listener.accept();
                        Socket out = new Socket();
                        sockets.add(in);
                        sockets.add(out);
                        out.connect(target, 5_000);
                        pump(in, out);
                        pump(out, in);
                    } catch (IOException e) {
                        // unplugged, or Redis refused: the client sees its connection end
                    }
                }
            });
        }

        private void pump(Socket from, Socket to) {
            Thread.ofPlatform().daemon().start(() -> {
                byte[] buf = new byte[16 * 1024];
                try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                    for (int n; (n = i.read(buf)) >= 0; ) {
                        o.write(buf, 0, n);
                    }
                } catch (IOException e) {
                    // one side closed: close both below
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException ignored) {
                        // already closed
                    }
                    sockets.remove(from);
                    sockets.remove(to);
                }
            });
        }

        @Override
        public void close() {
            try {
                unplug();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
