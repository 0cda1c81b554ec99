package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.TestSupport.InMemoryAuthenticator;
import io.iploop.gateway.TestSupport.LeakWatcher;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.exit.ExitException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random bytes, truncated handshakes and oversized headers against real sockets: the gateway
 * answers or closes, keeps serving, and leaks no buffers. Also the exit-failure mapping (HTTP
 * status and headers, SOCKS5 reply codes) with a stand-in exit connector.
 */
@Timeout(120)
class HostileInputIT {

    static Gateway gateway;
    static LeakWatcher leaks;

    @BeforeAll
    static void start() throws Exception {
        leaks = LeakWatcher.install();
        gateway = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator(new InMemoryAuthenticator())
                .usageSink(new RecordingUsageSink())
                .withoutNodeHub()
                .handshakeTimeout(Duration.ofMillis(500))
                .httpIdleTimeout(Duration.ofSeconds(1))
                .exitConnector(request -> CompletableFuture.failedFuture(switch (request.host()) {
                    case "nomatch.test" -> new ExitException(ExitException.Failure.NO_MATCHING_EXIT, "no exit in FR",
                            List.of("country-DE", "country-US"));
                    case "timeout.test" -> new ExitException(ExitException.Failure.TIMEOUT, "the exit did not answer");
                    case "forbidden.test" -> new ExitException(ExitException.Failure.FORBIDDEN_TARGET, "private range");
                    default -> new ExitException(ExitException.Failure.CONNECT_FAILED, "refused");
                }))
                .build();
        gateway.start();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        List<String> found = leaks.collect();
        leaks.uninstall();
        assertThat(found).as("leaked ByteBufs").isEmpty();
    }

    /** Sends {@code bytes}, returns what came back until the gateway closed (or 5 s passed). */
    static byte[] exchange(int port, byte[] bytes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException closedEarly) {
                // The gateway may close before reading everything.
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("gateway did not close the connection; got: " + got, e);
            } catch (IOException reset) {
                // a reset is a close too
            }
            return got.toByteArray();
        }
    }

    static String basic() {
        return Base64.getEncoder().encodeToString((TestSupport.CUSTOMER + ":" + TestSupport.KEY).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void randomBytesAreRefusedOnBothListeners() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 40; i++) {
            byte[] junk = new byte[1 + random.nextInt(3000)];
            random.nextBytes(junk);
            exchange(gateway.httpProxyPort(), junk);
            exchange(gateway.socksPort(), junk);
        }
        assertThat(gateway.isRunning()).isTrue();
    }

    @Test
    void truncatedHandshakesTimeOut() throws Exception {
        assertThat(exchange(gateway.socksPort(), new byte[] {5})).isEmpty();
        assertThat(exchange(gateway.socksPort(), new byte[] {5, 1, 2, 1, 8, 'c'})).containsExactly(5, 2);
        assertThat(new String(exchange(gateway.httpProxyPort(), "GET http://x/ HTTP/1.1\r\nHost: x\r\n".getBytes()),
                StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 408").contains("X-IPLoop-Error: request_timeout");
    }

    @Test
    void socksWithoutPasswordMethodGetsFF() throws Exception {
        assertThat(exchange(gateway.socksPort(), new byte[] {5, 1, 0})).containsExactly(5, (byte) 0xFF);
    }

    @Test
    void oversizedHeadersGet400() throws Exception {
        String req = "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n";
        String got = new String(exchange(gateway.httpProxyPort(), req.getBytes(StandardCharsets.ISO_8859_1)), StandardCharsets.ISO_8859_1);
        assertThat(got).startsWith("HTTP/1.1 400").contains("X-IPLoop-Error: bad_request");
    }

    @Test
    void exitFailuresMapToStatusAndHeaders() throws Exception {
        String got = http("nomatch.test");
        assertThat(got).startsWith("HTTP/1.1 503").contains("X-IPLoop-Error: no_matching_exit")
                .contains("X-IPLoop-Alternatives: country-DE, country-US")
                .contains("Proxy-Status: iploop; error=destination_unavailable; details=\"no exit in FR\"");
        assertThat(http("timeout.test")).startsWith("HTTP/1.1 504").contains("X-IPLoop-Error: exit_timeout");
        assertThat(http("forbidden.test")).startsWith("HTTP/1.1 403").contains("X-IPLoop-Error: target_forbidden");
        assertThat(http("refused.test")).startsWith("HTTP/1.1 502").contains("X-IPLoop-Error: exit_connect_failed");
        String connect = new String(exchange(gateway.httpProxyPort(), ("CONNECT nomatch.test:443 HTTP/1.1\r\nHost: nomatch.test:443\r\n"
                + "Proxy-Authorization: Basic " + basic() + "\r\n\r\n").getBytes()), StandardCharsets.ISO_8859_1);
        assertThat(connect).startsWith("HTTP/1.1 503").contains("X-IPLoop-Alternatives: country-DE, country-US");
    }

    static String http(String host) throws IOException {
        return new String(exchange(gateway.httpProxyPort(), ("GET http://" + host + "/ HTTP/1.1\r\nHost: " + host + "\r\n"
                + "Proxy-Authorization: Basic " + basic() + "\r\n\r\n").getBytes()), StandardCharsets.ISO_8859_1);
    }

    @Test
    void socksRepliesFollowRfc1928() throws Exception {
        assertThat(socksConnect("nomatch.test", (byte) 1)[1]).isEqualTo((byte) 0x04);
        assertThat(socksConnect("timeout.test", (byte) 1)[1]).isEqualTo((byte) 0x06);
        assertThat(socksConnect("forbidden.test", (byte) 1)[1]).isEqualTo((byte) 0x02);
        assertThat(socksConnect("refused.test", (byte) 1)[1]).isEqualTo((byte) 0x05);
        assertThat(socksConnect("refused.test", (byte) 2)[1]).as("BIND").isEqualTo((byte) 0x07);
        assertThat(socksConnect("refused.test", (byte) 3)[1]).as("UDP ASSOCIATE").isEqualTo((byte) 0x07);
    }

    @Test
    void socksDomainsWithControlBytesGetReply1() throws Exception {
        assertThat(socksConnect("exa\0mple.test", (byte) 1)[1]).as("NUL").isEqualTo((byte) 0x01);
        assertThat(socksConnect("a\r\nb.test", (byte) 1)[1]).as("CR LF").isEqualTo((byte) 0x01);
        assertThat(socksConnect("a b.test", (byte) 1)[1]).as("space").isEqualTo((byte) 0x01);
        assertThat(gateway.isRunning()).isTrue();
    }

    @Test
    void invalidHttpTargetsGet400InvalidTarget() throws Exception {
        for (String target : List.of("user@example.com:443", "example.com:0", "example.com:65536", "exa%00mple.com:443")) {
            String got = new String(exchange(gateway.httpProxyPort(), ("CONNECT " + target + " HTTP/1.1\r\nHost: x\r\n"
                    + "Proxy-Authorization: Basic " + basic() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)),
                    StandardCharsets.ISO_8859_1);
            assertThat(got).as(target).startsWith("HTTP/1.1 400").contains("X-IPLoop-Error: invalid_target");
        }
    }

    @Test
    void connectionsOverThePerIpCapAreClosedAtAccept() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (Gateway capped = Gateway.builder(GatewayConfig.forTests().withConnectionCaps(3, 1000))
                .proxyAuthenticator(new InMemoryAuthenticator())
                .usageSink(new RecordingUsageSink())
                .withoutNodeHub()
                .exitConnector(request -> CompletableFuture.failedFuture(
                        new ExitException(ExitException.Failure.CONNECT_FAILED, "refused")))
                .meterRegistry(meters)
                .build()) {
            capped.start();
            List<Socket> held = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    held.add(new Socket("127.0.0.1", capped.socksPort()));
                }
                // Each listener counts towards the same cap.
                try (Socket over = new Socket("127.0.0.1", capped.httpProxyPort())) {
                    over.setSoTimeout(5000);
                    int first;
                    try {
                        first = over.getInputStream().read();
                    } catch (IOException reset) {
                        first = -1;
                    }
                    assertThat(first).as("closed at accept").isEqualTo(-1);
                }
                assertThat(meters.get("iploop.gateway.connections.refused").tag("reason", "per_ip").counter().count()).isEqualTo(1);
                held.removeFirst().close();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                    byte[] got = exchange(capped.socksPort(), new byte[] {5, 1, 0});
                    return got.length == 2 && got[1] == (byte) 0xFF;
                });
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    /** Full handshake; returns the reply to the command. */
    static byte[] socksConnect(String host, byte command) throws IOException {
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.write(new byte[] {5, 1, 2});
        byte[] user = TestSupport.CUSTOMER.getBytes();
        byte[] pass = TestSupport.KEY.getBytes();
        req.write(1);
        req.write(user.length);
        req.write(user);
        req.write(pass.length);
        req.write(pass);
        req.write(new byte[] {5, command, 0, 3, (byte) host.length()});
        req.write(host.getBytes(StandardCharsets.ISO_8859_1));
        req.write(new byte[] {1, (byte) 187});
        byte[] got = exchange(gateway.socksPort(), req.toByteArray());
        assertThat(got).hasSizeGreaterThanOrEqualTo(4 + 4);
        assertThat(got[0]).isEqualTo((byte) 5);
        assertThat(got[1]).isEqualTo((byte) 2);
        assertThat(got[2]).isEqualTo((byte) 1);
        assertThat(got[3]).as("auth status").isEqualTo((byte) 0);
        byte[] reply = new byte[got.length - 4];
        System.arraycopy(got, 4, reply, 0, reply.length);
        return reply;
    }
}
