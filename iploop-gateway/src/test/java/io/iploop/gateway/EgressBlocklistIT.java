package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.spi.BlockedDestination;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The destination blocklist on a real gateway over real sockets: HTTP absolute-form, CONNECT and
 * SOCKS5 CONNECT to a blocked target are refused (403 {@code target_forbidden}, SOCKS5 0x02)
 * without the exit connector ever being asked; other targets reach it (and fail there with 502,
 * which proves the request got past the blocklist); a changed list applies after a refresh.
 */
@Timeout(60)
class EgressBlocklistIT {

    static Gateway gateway;
    /** Every host the exit connector was asked for. */
    static final List<String> exitRequests = new CopyOnWriteArrayList<>();
    static final List<BlockedDestination> entries = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator(new InMemoryAuthenticator())
                .usageSink(new RecordingUsageSink())
                .withoutNodeHub()
                .egressBlocklist(() -> List.copyOf(entries))
                .blocklistRefresh(Duration.ofMillis(100))
                .exitConnector(request -> {
                    exitRequests.add(request.host() + ":" + request.port());
                    return CompletableFuture.failedFuture(new ExitException(ExitException.Failure.CONNECT_FAILED, "refused"));
                })
                .build();
        gateway.start();
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @BeforeEach
    void reset() {
        exitRequests.clear();
        entries.clear();
        entries.add(new BlockedDestination("*.blocked.test", null, 0, "suffix"));
        entries.add(new BlockedDestination("exact.test", null, 0, "exact"));
        entries.add(new BlockedDestination(null, "198.51.100.0/24", 0, "documentation range"));
        entries.add(new BlockedDestination(null, "2001:db8::/32", 0, "documentation range v6"));
        entries.add(new BlockedDestination("mail.test", null, 25, "smtp only"));
        awaitBlocked("www.blocked.test", 80);
    }

    static void awaitBlocked(String host, int port) {
        await().atMost(Duration.ofSeconds(10)).until(() -> http(host, port).startsWith("HTTP/1.1 403"));
    }

    static String http(String host, int port) throws IOException {
        String authority = host + ":" + port;
        return new String(HostileInputIT.exchange(gateway.httpProxyPort(), ("GET http://" + authority + "/ HTTP/1.1\r\nHost: "
                + authority + "\r\nProxy-Authorization: Basic " + HostileInputIT.basic() + "\r\n\r\n").getBytes()),
                StandardCharsets.ISO_8859_1);
    }

    static String connect(String authority) throws IOException {
        return new String(HostileInputIT.exchange(gateway.httpProxyPort(), ("CONNECT " + authority + " HTTP/1.1\r\nHost: "
                + authority + "\r\nProxy-Authorization: Basic " + HostileInputIT.basic() + "\r\n\r\n").getBytes()),
                StandardCharsets.ISO_8859_1);
    }

    /** SOCKS5 CONNECT to a domain or IPv4 literal (RFC 1928 §4); returns the reply code. */
    static int socks(String host, int port, boolean ipv4) throws IOException {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.write(new byte[] {5, 1, 2});
        byte[] user = TestSupport.CUSTOMER.getBytes(StandardCharsets.US_ASCII);
        byte[] pass = TestSupport.KEY.getBytes(StandardCharsets.US_ASCII);
        req.write(1);
        req.write(user.length);
        req.write(user);
        req.write(pass.length);
        req.write(pass);
        if (ipv4) {
            req.write(new byte[] {5, 1, 0, 1});
            for (String part : host.split("\\.")) {
                req.write(Integer.parseInt(part));
            }
        } else {
            req.write(new byte[] {5, 1, 0, 3, (byte) host.length()});
            req.write(host.getBytes(StandardCharsets.US_ASCII));
        }
        req.write(new byte[] {(byte) (port >> 8), (byte) port});
        byte[] got = HostileInputIT.exchange(gateway.socksPort(), req.toByteArray());
        assertThat(got).hasSizeGreaterThanOrEqualTo(6);
        assertThat(got[3]).as("auth status").isZero();
        return got[5] & 0xff;
    }

    @Test
    void httpAbsoluteFormToABlockedHostGets403BeforeAnExitIsChosen() throws Exception {
        String got = http("WWW.Blocked.Test", 80);
        assertThat(got).startsWith("HTTP/1.1 403").contains("X-IPLoop-Error: target_forbidden")
                .contains("Proxy-Status: iploop; error=destination_ip_prohibited");
        assertThat(http("deep.sub.blocked.test", 8080)).startsWith("HTTP/1.1 403");
        assertThat(http("198.51.100.7", 80)).startsWith("HTTP/1.1 403");
        assertThat(exitRequests).isEmpty();

        assertThat(http("blocked.test", 80)).as("*.x does not match x itself").startsWith("HTTP/1.1 502");
        assertThat(http("notexact.test", 80)).startsWith("HTTP/1.1 502");
        assertThat(exitRequests).containsExactly("blocked.test:80", "notexact.test:80");
    }

    @Test
    void connectToABlockedTargetGets403() throws Exception {
        assertThat(connect("exact.test:443")).startsWith("HTTP/1.1 403").contains("X-IPLoop-Error: target_forbidden");
        assertThat(connect("[2001:db8::1]:443")).startsWith("HTTP/1.1 403").contains("X-IPLoop-Error: target_forbidden");
        assertThat(connect("mail.test:25")).startsWith("HTTP/1.1 403");
        assertThat(exitRequests).isEmpty();
        assertThat(connect("mail.test:587")).as("the entry is for port 25 only").startsWith("HTTP/1.1 502");
        assertThat(exitRequests).containsExactly("mail.test:587");
    }

    @Test
    void socks5ConnectToABlockedTargetGetsReply02() throws Exception {
        assertThat(socks("a.blocked.test", 443, false)).isEqualTo(0x02);
        assertThat(socks("198.51.100.200", 443, true)).isEqualTo(0x02);
        assertThat(exitRequests).isEmpty();
        assertThat(socks("198.51.101.1", 443, true)).isEqualTo(0x05); // refused at the exit
        assertThat(exitRequests).hasSize(1);
    }

    @Test
    void aRemovedEntryStopsBlockingAfterARefresh() throws Exception {
        entries.removeIf(e -> "exact".equals(e.reason()));
        await().atMost(Duration.ofSeconds(10)).until(() -> http("exact.test", 80).startsWith("HTTP/1.1 502"));
        entries.add(new BlockedDestination("exact.test", null, 0, "exact"));
        awaitBlocked("exact.test", 80);
    }
}
