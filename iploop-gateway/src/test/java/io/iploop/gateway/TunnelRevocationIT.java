package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.spi.AccountHold;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.tunnel.TunnelSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Open CONNECT tunnels of revoked keys and held accounts are closed within the auth cache period
 * (docs/security.md), and a failing credential store closes none. A real gateway with the direct
 * exit, a real echo origin and real sockets; the control plane is an in-memory stand-in.
 */
@Timeout(60)
class TunnelRevocationIT {

    /** The auth cache TTL, and so the sweep period, of this test's gateway. */
    static final Duration TTL = Duration.ofSeconds(1);

    /** What the stand-in credential store answers. */
    enum Store { ACCEPT, REJECT, THROW }

    volatile Store store = Store.ACCEPT;
    volatile @Nullable AccountHold hold;
    final RecordingUsageSink sink = new RecordingUsageSink();
    Gateway gateway;
    ServerSocket echo;

    @BeforeEach
    void start() throws Exception {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // the tunnel was closed
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        ProxyAuthenticator auth = (customerId, keyHash, client) -> {
            CompletableFuture<AuthResult> r = new CompletableFuture<>();
            switch (store) {
                case THROW -> r.completeExceptionally(new IllegalStateException("credential store down (test)"));
                case REJECT -> r.complete(new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "key revoked"));
                case ACCEPT -> r.complete(customerId.equals(TestSupport.CUSTOMER)
                        && keyHash.equals(KeyHashes.sha256Hex(TestSupport.KEY))
                        ? new AuthResult.Accepted(TestSupport.PRINCIPAL)
                        : new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown key"));
            }
            return r;
        };
        gateway = Gateway.builder(new GatewayConfig("127.0.0.1", 0, 0, 0, true, List.of(), List.of(), TTL,
                        Duration.ofMillis(200), TunnelSettings.DEFAULTS))
                .proxyAuthenticator(auth)
                .limitsProvider(userId -> AccountLimits.UNLIMITED.withHold(hold))
                .limitsRefresh(Duration.ofMillis(200))
                .usageSink(sink)
                .directExit(true)
                .withoutNodeHub()
                .build();
        gateway.start();
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        echo.close();
    }

    /** A CONNECT tunnel through the HTTP proxy listener to the echo origin, checked to carry bytes. */
    Socket openTunnel() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), gateway.httpProxyPort());
        s.setSoTimeout(5000);
        String auth = Base64.getEncoder().encodeToString(
                (TestSupport.CUSTOMER + ":" + TestSupport.KEY).getBytes(StandardCharsets.UTF_8));
        String target = "127.0.0.1:" + echo.getLocalPort();
        s.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target
                + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("response head so far: %s", head).isNotNegative();
            head.write(b);
        }
        assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        assertEchoes(s);
        return s;
    }

    static void assertEchoes(Socket s) throws IOException {
        byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
        OutputStream out = s.getOutputStream();
        out.write(ping);
        out.flush();
        assertThat(s.getInputStream().readNBytes(ping.length)).isEqualTo(ping);
    }

    /** Whether the gateway closed the tunnel: a read ends (EOF or reset) instead of timing out. */
    static boolean closedByGateway(Socket s) throws IOException {
        s.setSoTimeout(100);
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Test
    void revokedKeyClosesTheOpenTunnelAndItsUsageIsRecorded() throws Exception {
        try (Socket s = openTunnel()) {
            store = Store.REJECT;
            await().atMost(TTL.multipliedBy(2).plusSeconds(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> closedByGateway(s));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.records.stream().anyMatch(r -> r.requestCount() == 1));
        UsageRecord rec = sink.records.stream().filter(r -> r.requestCount() == 1).findFirst().orElseThrow();
        assertThat(rec.userId()).isEqualTo(TestSupport.PRINCIPAL.userId());
        long up = sink.records.stream().mapToLong(UsageRecord::bytesUploaded).sum();
        long down = sink.records.stream().mapToLong(UsageRecord::bytesDownloaded).sum();
        assertThat(up).as("the CONNECT head and the ping").isGreaterThan(4);
        assertThat(down).as("the 200 answer and the echo").isGreaterThan(4);
    }

    @Test
    void accountHoldClosesTheOpenTunnel() throws Exception {
        try (Socket s = openTunnel()) {
            hold = AccountHold.values()[0];
            await().atMost(TTL.multipliedBy(2).plusSeconds(3)).pollInterval(Duration.ofMillis(100))
                    .until(() -> closedByGateway(s));
        }
    }

    @Test
    void failingStoreKeepsTheOpenTunnel() throws Exception {
        try (Socket s = openTunnel()) {
            store = Store.THROW;
            Thread.sleep(TTL.multipliedBy(4).toMillis()); // several sweeps, each past the cache TTL
            assertThat(closedByGateway(s)).isFalse();
            s.setSoTimeout(5000);
            assertEchoes(s);
        }
    }
}
