package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.LimitsProvider;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.gateway.spi.TargetingOption;
import io.iploop.gateway.testing.Curl;
import io.iploop.gateway.testing.TestOrigin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Plan limits enforced by a real gateway (direct exit) against a real origin with real curl:
 * an in-memory {@link LimitsProvider} plays the control plane, one account per test.
 */
@Timeout(120)
class LimitsIT {

    private static final String KEY = "iploop_" + "fedcba9876543210".repeat(3);
    private static final long MIB = 1 << 20;

    static TestOrigin origin;
    static Gateway gateway;
    static final Map<String, CustomerPrincipal> customers = new ConcurrentHashMap<>();
    static final Map<UUID, AccountLimits> limits = new ConcurrentHashMap<>();
    static final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T12:00:00Z"));

    static final RecordingUsageSink SINK = new RecordingUsageSink();

    /**
     * What the control plane reports: the plan's allowance minus the usage already stored, as
     * {@code JdbcLimitsProvider} does. A constant balance would hand an exhausted account its bytes
     * back at the first refresh after its usage was written.
     */
    static AccountLimits controlPlaneLimits(UUID userId) {
        AccountLimits plan = limits.getOrDefault(userId, AccountLimits.UNLIMITED);
        if (plan.remainingBytes() == AccountLimits.UNLIMITED_BYTES) {
            return plan;
        }
        long used = SINK.records.stream().filter(r -> r.userId().equals(userId))
                .mapToLong(r -> r.bytesDownloaded() + r.bytesUploaded()).sum();
        return new AccountLimits(plan.requestsPerSecond(), plan.requestsPerDay(), plan.maxConcurrentConnections(),
                plan.remainingBytes() - used, plan.stickySessions(), plan.maxStickyLifetimeSeconds(),
                plan.targeting());
    }

    /** Accepts {@link #KEY} for every registered customer id. */
    static final ProxyAuthenticator AUTH = (customerId, keyHash, client) -> {
        CustomerPrincipal p = customers.get(customerId);
        CompletionStage<AuthResult> r = CompletableFuture.completedFuture(p == null
                ? new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown")
                : new AuthResult.Accepted(p));
        return r;
    };

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.http();
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator(AUTH)
                .usageSink(SINK)
                .limitsProvider(LimitsIT::controlPlaneLimits)
                .limitsRefresh(Duration.ofMillis(200))
                .clock(clock)
                .directExit(true)
                .withoutNodeHub()
                .build();
        gateway.start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
        origin.close();
    }

    /** A fresh account with these limits; returns its customer id. */
    static String account(AccountLimits accountLimits) {
        String customerId = "c_" + UUID.randomUUID().toString().substring(0, 8);
        CustomerPrincipal p = new CustomerPrincipal(UUID.randomUUID(), customerId, UUID.randomUUID());
        customers.put(customerId, p);
        limits.put(p.userId(), accountLimits);
        return customerId;
    }

    static AccountLimits plan(int perSecond, long perDay, int concurrent, long bytes, TargetingOption... targeting) {
        EnumSet<TargetingOption> t = EnumSet.of(TargetingOption.COUNTRY);
        t.addAll(List.of(targeting));
        return new AccountLimits(perSecond, perDay, concurrent, bytes, false, 0, t);
    }

    String proxy(String customerId, String password) {
        return "http://" + customerId + ":" + password + "@127.0.0.1:" + gateway.httpProxyPort();
    }

    @Test
    void theEleventhConcurrentConnectionOnATenConnectionPlanGets429WithRetryAfter() throws Exception {
        String c = account(plan(0, 0, 10, AccountLimits.UNLIMITED_BYTES));
        List<Socket> tunnels = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                tunnels.add(openTunnel(c));
            }
            Curl.Result r = Curl.run("-x", proxy(c, KEY), origin.url("/bytes/10"));
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.header("X-IPLoop-Error")).isEqualTo("concurrency_limited");
            assertThat(r.header("Retry-After")).isNotNull();
            assertThat(Long.parseLong(r.header("Retry-After"))).isPositive();

            tunnels.removeFirst().close();
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> Curl.run("-x", proxy(c, KEY), origin.url("/bytes/10")).status() == 200);
        } finally {
            for (Socket s : tunnels) {
                s.close();
            }
        }
    }

    /** A CONNECT tunnel held open through the HTTP proxy, counted against the plan's connections. */
    private Socket openTunnel(String customerId) throws IOException {
        return openTunnel(customerId, "127.0.0.1:" + origin.port());
    }

    private Socket openTunnel(String customerId, String target) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.httpProxyPort());
        s.setSoTimeout(10_000);
        String auth = Base64.getEncoder().encodeToString((customerId + ":" + KEY).getBytes(StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        out.write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 200");
        return s;
    }

    @Test
    void moreRequestsPerSecondThanThePlanAllowsGet429WithRetryAfter() throws Exception {
        String c = account(plan(2, 0, 0, AccountLimits.UNLIMITED_BYTES));
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "-x", proxy(c, KEY),
                "-w", "%{http_code} %header{retry-after} %header{x-iploop-error}\\n"));
        for (int i = 0; i < 8; i++) {
            cmd.addAll(List.of("-o", "/dev/null", origin.url("/bytes/10")));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(lines).hasSize(8);
        assertThat(lines.getFirst()).startsWith("200");
        assertThat(lines).contains("429 1 rate_limited");
    }

    @Test
    void exhaustingTheBalanceCutsTheDownloadAtTheBalanceAndTheNextRequestGets402() throws Exception {
        long balance = 3 * MIB;
        String c = account(plan(0, 0, 0, balance));
        Curl.Result cut = Curl.run("-x", proxy(c, KEY), origin.url("/bytes/" + 64 * MIB));
        assertThat(cut.exitCode()).as("the transfer is cut, not completed").isNotZero();
        assertThat(cut.sizeDownload()).as("never more than the balance").isGreaterThan(MIB).isLessThanOrEqualTo(balance);

        // Once the cut transfer's usage is stored, the control plane's own balance is what the
        // gateway's refreshes (every 200 ms) bring back: still exhausted.
        UUID userId = customers.get(c).userId();
        await().atMost(Duration.ofSeconds(10)).until(() -> controlPlaneLimits(userId).remainingBytes() <= 0);
        Thread.sleep(600);
        Curl.Result next = Curl.run("-x", proxy(c, KEY), origin.url("/bytes/10"));
        assertThat(next.status()).isEqualTo(402);
        assertThat(next.header("X-IPLoop-Error")).isEqualTo("balance_exhausted");

        Curl.Result socks = Curl.run("--socks5-hostname", "127.0.0.1:" + gateway.socksPort(), "--proxy-user", c + ":" + KEY,
                origin.url("/bytes/10"));
        assertThat(socks.exitCode()).isNotZero();
        assertThat(socks.stderr()).contains("SOCKS5");

        // A top-up reaches the gateway with the next refresh.
        limits.put(userId, plan(0, 0, 0, 100 * MIB + balance));
        await().atMost(Duration.ofSeconds(5)).until(
                () -> Curl.run("-x", proxy(c, KEY), origin.url("/bytes/10")).status() == 200);
    }

    @Test
    void anUploadThroughATunnelToASinkThatNeverAnswersIsCutWithinOneMibOfTheBalance() throws Exception {
        long balance = 2 * MIB;
        String c = account(plan(0, 0, 0, balance));
        long received = uploadThroughTunnel(c, 64 * MIB);
        assertThat(received).as("bytes that reached the sink").isLessThan(balance + MIB);
    }

    @Test
    void aTunnelIsCutAtThePlansBytesPerTunnelCap() throws Exception {
        String c = account(new AccountLimits(0, 0, 0, AccountLimits.UNLIMITED_BYTES, false, 0,
                EnumSet.of(TargetingOption.COUNTRY), MIB, 0));
        long received = uploadThroughTunnel(c, 64 * MIB);
        assertThat(received).as("bytes that reached the sink").isLessThan(2 * MIB);
    }

    @Test
    void aTunnelIsClosedAtThePlansTunnelLifetime() throws Exception {
        String c = account(new AccountLimits(0, 0, 0, AccountLimits.UNLIMITED_BYTES, false, 0,
                EnumSet.of(TargetingOption.COUNTRY), 0, 1));
        try (Socket tunnel = openTunnel(c)) {
            tunnel.setSoTimeout(30_000);
            assertThat(tunnel.getInputStream().read()).as("the gateway closes the idle tunnel").isEqualTo(-1);
        }
    }

    /**
     * Uploads up to {@code bytes} through a CONNECT tunnel to a sink that reads everything and
     * never answers; returns what reached the sink once the gateway cut the tunnel.
     */
    private long uploadThroughTunnel(String customerId, long bytes) throws Exception {
        try (ServerSocket sink = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicLong received = new AtomicLong();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (Socket s = sink.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[65536];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        received.addAndGet(n);
                    }
                } catch (IOException ignored) {
                    // the gateway cut the connection
                }
            });
            long sent = 0;
            try (Socket tunnel = openTunnel(customerId, "127.0.0.1:" + sink.getLocalPort())) {
                OutputStream out = tunnel.getOutputStream();
                byte[] chunk = new byte[64 * 1024];
                while (sent < bytes) {
                    out.write(chunk);
                    sent += chunk.length;
                }
            } catch (IOException cut) {
                // expected: the gateway closed the tunnel
            }
            assertThat(sent).as("the upload is cut before it completes").isLessThan(bytes);
            reader.join(Duration.ofSeconds(20));
            return received.get();
        }
    }

    @Test
    void requestsPerDayResetAtMidnightUtc() throws Exception {
        clock.set(Instant.parse("2026-11-24T23:59:00Z"));
        String c = account(plan(0, 3, 0, AccountLimits.UNLIMITED_BYTES));
        for (int i = 0; i < 3; i++) {
            assertThat(Curl.run("-x", proxy(c, KEY), origin.url("/bytes/10")).status()).isEqualTo(200);
        }
        Curl.Result over = Curl.run("-x", proxy(c, KEY), origin.url("/bytes/10"));
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.header("X-IPLoop-Error")).isEqualTo("daily_limit_reached");
        assertThat(over.header("Retry-After")).isEqualTo("60");

        clock.set(Instant.parse("2026-11-25T00:00:01Z"));
        assertThat(Curl.run("-x", proxy(c, KEY), origin.url("/bytes/10")).status()).isEqualTo(200);
    }

    @Test
    void cityTargetingOnATrialPlanGets403NamingCity() throws Exception {
        String c = account(plan(2, 1000, 5, 500_000_000L));
        Curl.Result r = Curl.run("-x", proxy(c, KEY + "-country-de-city-berlin"), origin.url("/bytes/10"));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("X-IPLoop-Error")).isEqualTo("targeting_not_in_plan");
        assertThat(r.bodyText()).contains("city");

        assertThat(Curl.run("-x", proxy(c, KEY + "-country-de"), origin.url("/bytes/10")).status()).isEqualTo(200);
    }

    /** A settable UTC clock. Thread-safe. */
    static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now;

        MutableClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void set(Instant instant) {
            now.set(instant);
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
            return now.get();
        }
    }
}
