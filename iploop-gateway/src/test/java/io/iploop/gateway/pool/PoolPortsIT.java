package io.iploop.gateway.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.Gateway;
import io.iploop.gateway.GatewayConfig;
import io.iploop.gateway.TestSupport;
import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.PoolGrant;
import io.iploop.gateway.spi.PoolPortRange;
import io.iploop.gateway.spi.PoolPortStatus;
import io.iploop.gateway.spi.PoolReload;
import io.iploop.gateway.spi.PoolUpstream;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.TestOrigin;
import io.iploop.gateway.testing.TestUpstreamProxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upstream pool end to end (docs/upstream-pool.md): a real gateway whose pool ports chain
 * through real upstream proxies on loopback (an HTTP CONNECT proxy and a SOCKS5 proxy, both with
 * credentials) to real origins, driven by curl, the JDK HttpClient and raw sockets.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolPortsIT {

    static final byte[] BIG = TestOrigin.expectedBytes(1 << 20);
    static final PoolGrant OPEN = grant(0, 0, AccountLimits.UNLIMITED_BYTES, null, List.of());

    static int base;
    static TestOrigin origin;
    static TestOrigin httpsOrigin;
    static TestUpstreamProxy httpUpstream;
    static TestUpstreamProxy socksUpstream;
    static TestUpstreamProxy otherUpstream;
    static EchoServer echo;
    static Gateway gateway;
    static final RecordingUsageSink sink = new RecordingUsageSink();
    static final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    static final AtomicReference<@Nullable PoolGrant> grant = new AtomicReference<>(OPEN);
    static final List<PoolUpstream> upstreams = new CopyOnWriteArrayList<>();

    @TempDir
    Path tmp;

    static PoolGrant grant(int maxThreads, long perSocket, long remaining, @Nullable Instant expires, List<PoolPortRange> ports) {
        return new PoolGrant(ports, maxThreads, 0, perSocket, 0, 0, 0, remaining, expires);
    }

    static int httpPort() {
        return base;
    }

    static int socksPort() {
        return base + 1;
    }

    @BeforeAll
    static void start() throws Exception {
        base = 10000 + ThreadLocalRandom.current().nextInt(100) * 200;
        origin = TestOrigin.http();
        httpsOrigin = TestOrigin.https();
        httpUpstream = TestUpstreamProxy.start(TestUpstreamProxy.Kind.HTTP, "up", "secret");
        socksUpstream = TestUpstreamProxy.start(TestUpstreamProxy.Kind.SOCKS5, "sup", "ssecret");
        otherUpstream = TestUpstreamProxy.start(TestUpstreamProxy.Kind.HTTP, null, null);
        echo = new EchoServer();
        upstreams.add(new PoolUpstream(httpPort(), PoolUpstream.Scheme.HTTP, "127.0.0.1", httpUpstream.port(), "up", "secret"));
        upstreams.add(new PoolUpstream(socksPort(), PoolUpstream.Scheme.SOCKS5, "127.0.0.1", socksUpstream.port(), "sup", "ssecret"));
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator(new InMemoryAuthenticator())
                .usageSink(sink)
                .directExit(true)
                .withoutNodeHub()
                .clock(clock)
                .limitsRefresh(Duration.ofMillis(100))
                .poolUpstreams(() -> List.copyOf(upstreams))
                .poolAccess(userId -> grant.get())
                .poolPortRange(base, base + 199)
                .poolReloadInterval(Duration.ofHours(1)) // the tests reload explicitly
                .poolReloadGrace(Duration.ofSeconds(1))
                .poolHealth(Duration.ofSeconds(1), Duration.ofSeconds(3), URI.create(origin.url("/bytes/1")))
                .build();
        gateway.start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        origin.close();
        httpsOrigin.close();
        httpUpstream.close();
        socksUpstream.close();
        otherUpstream.close();
        echo.close();
    }

    @BeforeEach
    void reset() throws Exception {
        setGrant(OPEN);
        TestSupport.awaitIdleAndClear(gateway, sink);
    }

    static void setGrant(@Nullable PoolGrant g) throws InterruptedException {
        grant.set(g);
        Thread.sleep(350); // > limitsRefresh: every cached grant has been fetched again
    }

    record Result(int exit, String out, String err) {}

    static Result curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(40, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    static String proxy(int port) {
        return "http://" + TestSupport.CUSTOMER + ":" + TestSupport.KEY + "@127.0.0.1:" + port;
    }

    static List<UsageRecord> awaitRecords(int poolPort) {
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.records.stream().anyMatch(r -> Integer.valueOf(poolPort).equals(r.poolPort())));
        return sink.records.stream().filter(r -> Integer.valueOf(poolPort).equals(r.poolPort())).toList();
    }

    @Test
    @Order(1)
    void httpAbsoluteFormThroughAnHttpUpstreamIsByteExactAndMeteredAsPool() throws Exception {
        Path file = tmp.resolve("big");
        int before = httpUpstream.tunnels.get();
        Result r = curl("-x", proxy(httpPort()), "-o", file.toString(),
                "-w", "%{http_code} %{size_header} %{size_download} %{size_request}", origin.url("/bytes/" + BIG.length));
        assertThat(r.exit()).as(r.err()).isZero();
        String[] w = r.out().split(" ");
        assertThat(w[0]).isEqualTo("200");
        assertThat(Files.readAllBytes(file)).isEqualTo(BIG);
        assertThat(httpUpstream.tunnels.get()).as("chained through the upstream").isGreaterThan(before);

        UsageRecord rec = awaitRecords(httpPort()).getFirst();
        assertThat(rec.poolPort()).isEqualTo(httpPort());
        assertThat(rec.nodeId()).isNull();
        assertThat(rec.success()).isTrue();
        assertThat(rec.userId()).isEqualTo(TestSupport.PRINCIPAL.userId());
        assertThat(rec.bytesDownloaded()).isEqualTo(Long.parseLong(w[1]) + Long.parseLong(w[2]));
        assertThat(rec.bytesUploaded()).isEqualTo(Long.parseLong(w[3]));
    }

    @Test
    @Order(2)
    void connectToAnHttpsOriginThroughAnHttpUpstream() throws Exception {
        Path file = tmp.resolve("tls");
        Result r = curl("-k", "-x", proxy(httpPort()), "-o", file.toString(), "-w", "%{http_code}",
                httpsOrigin.url("/bytes/" + BIG.length));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("200");
        assertThat(Files.readAllBytes(file)).isEqualTo(BIG);
        UsageRecord rec = awaitRecords(httpPort()).getFirst();
        assertThat(rec.proxyType()).isEqualTo("http");
        assertThat(rec.bytesDownloaded()).isGreaterThan(BIG.length);
    }

    @Test
    @Order(3)
    void socks5ThroughASocks5UpstreamAndFirstByteDetectionOnTheSamePorts() throws Exception {
        for (int port : List.of(socksPort(), httpPort())) {
            Path file = tmp.resolve("socks" + port);
            Result r = curl("--socks5-hostname", "127.0.0.1:" + port, "--proxy-user", TestSupport.CUSTOMER + ":" + TestSupport.KEY,
                    "-o", file.toString(), "-w", "%{http_code}", origin.url("/bytes/" + BIG.length));
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(Files.readAllBytes(file)).isEqualTo(BIG);
        }
        // HTTP on the SOCKS5 upstream's port: the first byte decides, not the upstream's kind.
        Result r = curl("-x", proxy(socksPort()), "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                origin.url("/bytes/1000"));
        assertThat(r.out()).isEqualTo("200 1000");
        assertThat(awaitRecords(socksPort())).anyMatch(rec -> rec.proxyType().equals("socks5"))
                .allMatch(rec -> rec.nodeId() == null);
    }

    @Test
    @Order(4)
    void jdkHttpClientThroughAPoolPort() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (TestSupport.CUSTOMER + ":" + TestSupport.KEY).getBytes(StandardCharsets.UTF_8));
        try (HttpClient client = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", httpPort()))).build()) {
            HttpResponse<byte[]> resp = client.send(HttpRequest.newBuilder(URI.create(origin.url("/bytes/" + BIG.length)))
                    .header("Proxy-Authorization", basic).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.body()).isEqualTo(BIG);
        }
    }

    @Test
    @Order(5)
    void accessExpiryPortsAndQuotaAreEnforced() throws Exception {
        setGrant(null);
        assertRefused(httpPort(), 403, "pool_access_denied");
        setGrant(grant(0, 0, AccountLimits.UNLIMITED_BYTES, clock.instant().minusSeconds(1), List.of()));
        assertRefused(httpPort(), 403, "pool_expired");
        setGrant(grant(0, 0, AccountLimits.UNLIMITED_BYTES, null, List.of(new PoolPortRange(socksPort(), socksPort()))));
        assertRefused(httpPort(), 403, "pool_port_not_granted");
        setGrant(grant(0, 0, 0, null, List.of()));
        assertRefused(httpPort(), 402, "pool_quota_exhausted");
        // Socks5 gets the RFC 1928 "not allowed by ruleset" reply.
        Result s = curl("--socks5-hostname", "127.0.0.1:" + socksPort(), "--proxy-user",
                TestSupport.CUSTOMER + ":" + TestSupport.KEY, origin.url("/bytes/10"));
        assertThat(s.exit()).isNotZero();
    }

    static String assertRefused(int port, int status, String code) throws Exception {
        Result r = curl("-i", "-x", proxy(port), origin.url("/bytes/10"));
        assertThat(r.out()).as(r.err()).startsWith("HTTP/1.1 " + status).containsIgnoringCase("X-IPLoop-Error: " + code);
        return r.out();
    }

    @Test
    @Order(6)
    void theEleventhSocketOfATenThreadAccountIsRefused() throws Exception {
        setGrant(grant(10, 0, AccountLimits.UNLIMITED_BYTES, null, List.of()));
        List<Socket> tunnels = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                tunnels.add(connectTunnel(httpPort(), echo.port()));
            }
            Socket eleventh = new Socket("127.0.0.1", httpPort());
            String answer = connectRequest(eleventh, echo.port());
            assertThat(answer).startsWith("HTTP/1.1 429").containsIgnoringCase("X-IPLoop-Error: pool_threads_exceeded")
                    .containsIgnoringCase("Retry-After: 1");
            eleventh.close();
            // The ten still carry bytes.
            for (Socket t : tunnels) {
                assertEcho(t, 1000);
            }
        } finally {
            for (Socket t : tunnels) {
                t.close();
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.poolStatus().stream()
                .filter(s -> s.port() == httpPort()).findFirst().orElseThrow().openSockets() == 0);
    }

    @Test
    @Order(6)
    void requestsPerSecondOverTheGrantAre429WithRetryAfter() throws Exception {
        setGrant(new PoolGrant(List.of(), 0, 2, 0, 0, 0, 0, AccountLimits.UNLIMITED_BYTES, null));
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            try (Socket s = new Socket("127.0.0.1", httpPort())) {
                answers.add(connectRequest(s, echo.port()));
            }
        }
        assertThat(answers).anyMatch(a -> a.startsWith("HTTP/1.1 200"));
        assertThat(answers).anyMatch(a -> a.startsWith("HTTP/1.1 429") && a.contains("X-IPLoop-Error: pool_rate_limited")
                && a.contains("Retry-After: 1"));
    }

    @Test
    @Order(7)
    void shapingSlowsDownloadsToTheSocketRate() throws Exception {
        long rate = 512 * 1024;
        setGrant(grant(0, rate, AccountLimits.UNLIMITED_BYTES, null, List.of()));
        int size = 3 << 20;
        long start = System.nanoTime();
        Result r = curl("-x", proxy(httpPort()), "-o", "/dev/null", "-w", "%{size_download}", origin.url("/bytes/" + size));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(r.out()).isEqualTo(Integer.toString(size));
        double measured = size / seconds;
        System.out.printf("pool shaping: %d B/s configured, %.0f B/s measured (%.2fx) over %.2f s%n", rate, measured,
                measured / rate, seconds);
        assertThat(measured).isBetween(rate * 0.7, rate * 1.3);
    }

    @Test
    @Order(7)
    void shapingAboveTheBulkReadRateStillHoldsTheSocketRate() throws Exception {
        // Fast enough for 256 KiB upstream reads (PoolUpstreamConnector.bulkReads): shaping must still hold.
        long rate = 8L << 20;
        assertThat(PoolUpstreamConnector.bulkReads(rate, 0)).isTrue();
        setGrant(grant(0, rate, AccountLimits.UNLIMITED_BYTES, null, List.of()));
        int size = 24 << 20;
        long start = System.nanoTime();
        Result r = curl("-x", proxy(httpPort()), "-o", "/dev/null", "-w", "%{size_download}", origin.url("/bytes/" + size));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(r.out()).isEqualTo(Integer.toString(size));
        double measured = size / seconds;
        System.out.printf("pool shaping with bulk reads: %d B/s configured, %.0f B/s measured (%.2fx) over %.2f s%n", rate,
                measured, measured / rate, seconds);
        assertThat(measured).isBetween(rate * 0.7, rate * 1.3);
    }

    @Test
    @Order(7)
    void shapingHoldsTwoSocketsTogetherToTheAccountRate() throws Exception {
        long rate = 512 * 1024;
        setGrant(new PoolGrant(List.of(), 0, 0, 0, rate, 0, 0, AccountLimits.UNLIMITED_BYTES, null));
        int size = 3 << 19; // 1.5 MiB each, 3 MiB together
        long start = System.nanoTime();
        java.util.concurrent.CompletableFuture<Result> a = java.util.concurrent.CompletableFuture.supplyAsync(() -> download(size));
        java.util.concurrent.CompletableFuture<Result> b = java.util.concurrent.CompletableFuture.supplyAsync(() -> download(size));
        assertThat(a.get(60, TimeUnit.SECONDS).out()).isEqualTo(Integer.toString(size));
        assertThat(b.get(60, TimeUnit.SECONDS).out()).isEqualTo(Integer.toString(size));
        double seconds = (System.nanoTime() - start) / 1e9;
        double measured = 2.0 * size / seconds;
        System.out.printf("pool account shaping: %d B/s configured, %.0f B/s measured over two sockets (%.2fx)%n", rate,
                measured, measured / rate);
        assertThat(measured).isBetween(rate * 0.7, rate * 1.3);
    }

    private static Result download(int size) {
        try {
            return curl("-x", proxy(httpPort()), "-o", "/dev/null", "-w", "%{size_download}", origin.url("/bytes/" + size));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(8)
    void aDownUpstreamAnswers503AndRecovers() throws Exception {
        int port = base + 10;
        int upstreamPort;
        try (ServerSocket s = new ServerSocket(0)) {
            upstreamPort = s.getLocalPort();
        }
        upstreams.add(new PoolUpstream(port, PoolUpstream.Scheme.HTTP, "127.0.0.1", upstreamPort, null, null));
        assertThat(gateway.reloadPool().get(10, TimeUnit.SECONDS).added()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(port) == PoolPortStatus.State.DOWN);
        PoolPortStatus down = gateway.poolStatus().stream().filter(s -> s.port() == port).findFirst().orElseThrow();
        assertThat(down.reason()).contains("refused");
        String answer = assertRefused(port, 503, "upstream_unavailable");
        assertThat(answer).containsIgnoringCase("Proxy-Status: iploop; error=destination_unavailable")
                .contains("refused");
        try (TestUpstreamProxy _ = TestUpstreamProxy.startOn(TestUpstreamProxy.Kind.HTTP, upstreamPort, null, null)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> state(port) == PoolPortStatus.State.UP);
            Result r = curl("-x", proxy(port), "-o", "/dev/null", "-w", "%{http_code}", origin.url("/bytes/10"));
            assertThat(r.out()).isEqualTo("200");
        }
        upstreams.removeIf(u -> u.port() == port);
        gateway.reloadPool().get(10, TimeUnit.SECONDS);
    }

    static PoolPortStatus.State state(int port) {
        return gateway.poolStatus().stream().filter(s -> s.port() == port).findFirst().map(PoolPortStatus::state).orElse(null);
    }

    @Test
    @Order(9)
    void replacingAHundredUpstreamsKeepsAnUnrelatedTunnelStreaming() throws Exception {
        for (int i = 0; i < 100; i++) {
            upstreams.add(new PoolUpstream(base + 20 + i, PoolUpstream.Scheme.HTTP, "127.0.0.1", httpUpstream.port(), "up", "secret"));
        }
        PoolReload first = gateway.reloadPool().get(30, TimeUnit.SECONDS);
        assertThat(first.failures()).isEmpty();
        int added = first.added();
        assertThat(added).isEqualTo(100);
        try (Socket tunnel = connectTunnel(httpPort(), echo.port())) {
            assertEcho(tunnel, 64 * 1024);
            // Replace every upstream but the tunnel's port's.
            List<PoolUpstream> next = new ArrayList<>();
            for (PoolUpstream u : upstreams) {
                next.add(u.port() == httpPort() ? u
                        : new PoolUpstream(u.port(), PoolUpstream.Scheme.HTTP, "127.0.0.1", otherUpstream.port(), null, null));
            }
            upstreams.clear();
            upstreams.addAll(next);
            java.util.concurrent.CompletableFuture<Void> streaming = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    assertEcho(tunnel, 8 << 20);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            PoolReload replaced = gateway.reloadPool().get(30, TimeUnit.SECONDS);
            assertThat(streaming).as("still streaming while the reload applied").isNotDone();
            streaming.get(60, TimeUnit.SECONDS);
            assertThat(replaced.replaced()).isGreaterThanOrEqualTo(100);
            assertEcho(tunnel, 1000);
        }
        // The health probes go to the plain origin; this request to the HTTPS origin is the only tunnel there.
        int before = otherUpstream.tunnelsTo(httpsOrigin.port());
        int beforeOld = httpUpstream.tunnelsTo(httpsOrigin.port());
        Result r = curl("-k", "-x", proxy(base + 20), "-o", "/dev/null", "-w", "%{http_code}", httpsOrigin.url("/bytes/10"));
        assertThat(r.out()).as(r.err()).isEqualTo("200");
        assertThat(otherUpstream.tunnelsTo(httpsOrigin.port())).as("new connections use the new upstream").isEqualTo(before + 1);
        assertThat(httpUpstream.tunnelsTo(httpsOrigin.port())).as("not the old one").isEqualTo(beforeOld);
        upstreams.removeIf(u -> u.port() >= base + 20);
        assertThat(gateway.reloadPool().get(30, TimeUnit.SECONDS).removed()).isEqualTo(100);
    }

    @Test
    @Order(10)
    void aRemovedPortStopsAcceptingAndItsTunnelClosesAfterTheGrace() throws Exception {
        int port = base + 11;
        upstreams.add(new PoolUpstream(port, PoolUpstream.Scheme.SOCKS5, "127.0.0.1", socksUpstream.port(), "sup", "ssecret"));
        gateway.reloadPool().get(10, TimeUnit.SECONDS);
        try (Socket tunnel = connectTunnel(port, echo.port()); Socket unrelated = connectTunnel(httpPort(), echo.port())) {
            upstreams.removeIf(u -> u.port() == port);
            assertThat(gateway.reloadPool().get(10, TimeUnit.SECONDS).removed()).isEqualTo(1);
            assertEcho(tunnel, 1000); // still carried during the grace period
            assertThat(canConnect(port)).isFalse();
            tunnel.setSoTimeout(5000);
            long start = System.nanoTime();
            assertThat(tunnel.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertEcho(unrelated, 1000);
        }
    }

    @Test
    @Order(11)
    void aStrikeKicksAndLocksOutForAnHourOnTheTestClock() throws Exception {
        setGrant(grant(3, 0, AccountLimits.UNLIMITED_BYTES, null, List.of()));
        List<Socket> tunnels = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                tunnels.add(connectTunnel(httpPort(), echo.port()));
            }
            try (Socket s = new Socket("127.0.0.1", httpPort())) {
                assertThat(connectRequest(s, echo.port())).startsWith("HTTP/1.1 429");
            }
            clock.advance(Duration.ofMinutes(14));
            Thread.sleep(1500); // a strike sweep runs: not yet
            assertEcho(tunnels.getFirst(), 100);
            clock.advance(Duration.ofMinutes(1));
            for (Socket t : tunnels) {
                t.setSoTimeout(5000);
                assertThat(t.getInputStream().read()).as("kicked").isEqualTo(-1);
            }
            String locked = assertRefused(httpPort(), 403, "locked_out");
            assertThat(locked).contains("locked out of the pool until 2026-12-01T11:15:00Z")
                    .containsIgnoringCase("Retry-After: 3600");
            clock.advance(Duration.ofMinutes(59));
            assertRefused(httpPort(), 403, "locked_out");
            clock.advance(Duration.ofMinutes(1));
            Result r = curl("-x", proxy(httpPort()), "-o", "/dev/null", "-w", "%{http_code}", origin.url("/bytes/10"));
            assertThat(r.out()).isEqualTo("200");
        } finally {
            for (Socket t : tunnels) {
                t.close();
            }
        }
    }

    @Test
    @Order(12)
    void openTunnelsAreClosedWhenTheGrantExpiresOnTheTestClock() throws Exception {
        Instant end = clock.instant().plus(Duration.ofMinutes(10));
        setGrant(grant(0, 0, AccountLimits.UNLIMITED_BYTES, end, List.of()));
        try (Socket http = connectTunnel(httpPort(), echo.port()); Socket other = connectTunnel(httpPort(), echo.port())) {
            clock.advance(Duration.ofMinutes(9));
            Thread.sleep(1500); // a sweep runs: not yet expired, the tunnels carry on
            assertEcho(http, 1000);
            assertEcho(other, 1000);
            clock.advance(Duration.ofMinutes(1)); // exactly the end: expired
            for (Socket t : List.of(http, other)) {
                t.setSoTimeout(5000);
                assertThat(t.getInputStream().read()).as("closed at expiry").isEqualTo(-1);
            }
            assertRefused(httpPort(), 403, "pool_expired");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.poolStatus().stream()
                .filter(s -> s.port() == httpPort()).findFirst().orElseThrow().openSockets() == 0);
    }

    @Test
    @Order(13)
    void aRevokedOrSmallerGrantClosesTheTunnelsItNoLongerCovers() throws Exception {
        setGrant(grant(4, 0, AccountLimits.UNLIMITED_BYTES, null, List.of()));
        List<Socket> tunnels = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                tunnels.add(connectTunnel(httpPort(), echo.port()));
            }
            Socket onSocks = connectTunnel(socksPort(), echo.port()); // the first-byte detection serves HTTP too
            tunnels.add(onSocks);
            try (Socket fifth = new Socket("127.0.0.1", httpPort())) {
                assertThat(connectRequest(fifth, echo.port())).startsWith("HTTP/1.1 429");
            }
            // Replaced by a grant of one thread on the SOCKS5 port only: the three on the other port go,
            // the one on the granted port stays.
            setGrant(grant(1, 0, AccountLimits.UNLIMITED_BYTES, null, List.of(new PoolPortRange(socksPort(), socksPort()))));
            for (Socket t : tunnels.subList(0, 3)) {
                t.setSoTimeout(5000);
                assertThat(t.getInputStream().read()).as("port no longer granted").isEqualTo(-1);
            }
            assertEcho(onSocks, 1000);
            // Revoked: the last one goes too.
            setGrant(null);
            onSocks.setSoTimeout(5000);
            assertThat(onSocks.getInputStream().read()).as("access revoked").isEqualTo(-1);
        } finally {
            for (Socket t : tunnels) {
                t.close();
            }
        }
    }

    @Test
    @Order(14)
    void aLowerThreadLimitClosesTheTunnelsAboveIt() throws Exception {
        setGrant(grant(4, 0, AccountLimits.UNLIMITED_BYTES, null, List.of()));
        List<Socket> tunnels = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                tunnels.add(connectTunnel(httpPort(), echo.port()));
            }
            setGrant(grant(2, 0, AccountLimits.UNLIMITED_BYTES, null, List.of()));
            await().atMost(Duration.ofSeconds(5)).until(() -> gateway.poolStatus().stream()
                    .filter(s -> s.port() == httpPort()).findFirst().orElseThrow().openSockets() == 2);
            int open = 0;
            for (Socket t : tunnels) {
                t.setSoTimeout(5000);
                try {
                    assertEcho(t, 100);
                    open++;
                } catch (IOException | AssertionError closed) {
                    // one of the two above the limit
                }
            }
            assertThat(open).isEqualTo(2);
        } finally {
            for (Socket t : tunnels) {
                t.close();
            }
        }
    }

    // ---- helpers

    static boolean canConnect(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Socket connectTunnel(int poolPort, int targetPort) throws IOException {
        Socket s = new Socket("127.0.0.1", poolPort);
        String answer = connectRequest(s, targetPort);
        assertThat(answer).startsWith("HTTP/1.1 200");
        return s;
    }

    static String connectRequest(Socket s, int targetPort) throws IOException {
        s.setSoTimeout(10_000);
        String auth = Base64.getEncoder().encodeToString((TestSupport.CUSTOMER + ":" + TestSupport.KEY).getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().write(("CONNECT 127.0.0.1:" + targetPort + " HTTP/1.1\r\nHost: 127.0.0.1:" + targetPort
                + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Sends {@code n} pattern bytes through an echo tunnel and checks every byte comes back in order. */
    static void assertEcho(Socket s, int n) throws IOException {
        byte[] data = TestOrigin.expectedBytes(n);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                out.write(data);
                out.flush();
            } catch (IOException ignored) {
                // the read side fails the test
            }
        });
        byte[] back = in.readNBytes(n);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(back).isEqualTo(data);
    }

    /** Echoes every connection's bytes back until it closes. */
    static final class EchoServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 512, java.net.InetAddress.getLoopbackAddress());

        EchoServer() throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread.ofVirtual().start(() -> {
                            try (s) {
                                s.getInputStream().transferTo(s.getOutputStream());
                            } catch (IOException ignored) {
                                // client gone
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() {
            try {
                server.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
