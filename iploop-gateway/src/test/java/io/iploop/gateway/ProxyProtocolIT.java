package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.iploop.gateway.TestSupport.RecordingUsageSink;
import io.iploop.gateway.net.ProxyProtocol;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.gateway.spi.KeyHashes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The PROXY protocol on real listeners over real sockets (docs/deploy.md#client-addresses-behind-a-load-balancer):
 * a trusted balancer's v1 and v2 headers name the client the gateway authenticates and limits, the
 * bytes behind the header reach the origin unchanged, a trusted peer without a header is cut off
 * unanswered, and an untrusted peer cannot name an address at all. A real node agent reaching the
 * node hub through a balancer (a TCP relay that writes the header, as HAProxy's {@code send-proxy}
 * does) is admitted with its own address, not the balancer's.
 */
@Timeout(60)
class ProxyProtocolIT {

    static final byte[] BODY = "through the balancer\n".getBytes(StandardCharsets.US_ASCII);
    /** The address every authentication was asked about, in order. */
    static final List<InetAddress> seen = new CopyOnWriteArrayList<>();
    static HttpServer origin;
    static Gateway behindBalancer;
    static Gateway open;

    @BeforeAll
    static void start() throws Exception {
        origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        origin.createContext("/", ex -> {
            ex.sendResponseHeaders(200, BODY.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(BODY);
            }
        });
        origin.start();
        behindBalancer = gateway(ProxyProtocol.trusting(List.of("127.0.0.0/8"), 2_000));
        open = gateway(ProxyProtocol.trusting(List.of("10.0.0.0/8", "2001:db8::/32"), 2_000));
    }

    static Gateway gateway(ProxyProtocol proxyProtocol) throws Exception {
        Gateway g = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator(new RecordingAuthenticator())
                .usageSink(new RecordingUsageSink())
                .withoutNodeHub()
                .directExit(true)
                .proxyProtocol(proxyProtocol)
                .build();
        g.start();
        return g;
    }

    @AfterAll
    static void stop() {
        behindBalancer.close();
        open.close();
        origin.stop(0);
    }

    @BeforeEach
    void clear() {
        seen.clear();
    }

    @Test
    void aVersion1HeaderNamesTheClientAndTheRequestBehindItIsServed() throws Exception {
        String header = "PROXY TCP4 203.0.113.7 127.0.0.1 51234 " + behindBalancer.httpProxyPort() + "\r\n";
        String response = ascii(exchange(behindBalancer.httpProxyPort(), bytes(header + get())));

        assertThat(response).startsWith("HTTP/1.1 200").endsWith("through the balancer\n");
        assertThat(seen).containsExactly(InetAddress.ofLiteral("203.0.113.7"));
    }

    @Test
    void aVersion2HeaderWorksOnTheSocksListenerToo() throws Exception {
        byte[] user = TestSupport.CUSTOMER.getBytes(StandardCharsets.US_ASCII);
        byte[] key = TestSupport.KEY.getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), behindBalancer.socksPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(v2Header(InetAddress.ofLiteral("198.51.100.20"), 40000, behindBalancer.socksPort()));
            out.write(new byte[] {5, 1, 2}); // greeting: username/password
            out.flush();
            assertThat(in.readNBytes(2)).containsExactly(5, 2);
            out.write(ByteBuffer.allocate(3 + user.length + key.length)
                    .put((byte) 1).put((byte) user.length).put(user).put((byte) key.length).put(key).array());
            out.flush();
            assertThat(in.readNBytes(2)).containsExactly(1, 0);
            out.write(ByteBuffer.allocate(10).put(new byte[] {5, 1, 0, 1, 127, 0, 0, 1})
                    .putShort((short) origin.getAddress().getPort()).array());
            out.flush();
            assertThat(in.readNBytes(10)[1]).as("SOCKS5 CONNECT reply code").isEqualTo((byte) 0x00);
            out.write(bytes(get()));
            out.flush();
            assertThat(ascii(in.readAllBytes())).startsWith("HTTP/1.1 200").endsWith("through the balancer\n");
        }
        assertThat(seen).containsExactly(InetAddress.ofLiteral("198.51.100.20"));
    }

    @Test
    void aLocalCommandKeepsTheBalancersOwnAddress() throws Exception {
        // v2 LOCAL: the balancer's own connection (a health check); no address block.
        byte[] local = ByteBuffer.allocate(16).put(V2_SIGNATURE).put((byte) 0x20).put((byte) 0x00).putShort((short) 0).array();
        byte[] request = bytes(get());
        byte[] wire = ByteBuffer.allocate(local.length + request.length).put(local).put(request).array();

        assertThat(ascii(exchange(behindBalancer.httpProxyPort(), wire))).startsWith("HTTP/1.1 200");
        assertThat(seen).containsExactly(InetAddress.getLoopbackAddress());
    }

    @Test
    void aTrustedPeerWithoutAHeaderIsCutOffUnanswered() throws Exception {
        byte[] answer = exchange(behindBalancer.httpProxyPort(), bytes(get()));

        assertThat(answer).isEmpty();
        assertThat(seen).isEmpty();
    }

    @Test
    void aTrustedPeerThatSendsNothingIsCutOffAtTheDeadline() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), behindBalancer.httpProxyPort())) {
            s.setSoTimeout(10_000);
            long started = System.nanoTime();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(1_500);
        }
    }

    @Test
    void anUntrustedPeerCannotNameAnAddress() throws Exception {
        String header = "PROXY TCP4 203.0.113.7 127.0.0.1 51234 " + open.httpProxyPort() + "\r\n";
        String response = ascii(exchange(open.httpProxyPort(), bytes(header + get())));

        // Not a header here: the first line is a malformed HTTP request.
        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(seen).isEmpty();
        assertThat(ascii(exchange(open.httpProxyPort(), bytes(get())))).startsWith("HTTP/1.1 200");
        assertThat(seen).containsExactly(InetAddress.getLoopbackAddress());
    }

    @Test
    void aMalformedHeaderIsRefused() throws Exception {
        String header = "PROXY TCP4 not-an-address 127.0.0.1 1 2\r\n";

        assertThat(exchange(behindBalancer.httpProxyPort(), bytes(header + get()))).isEmpty();
        assertThat(seen).isEmpty();
    }

    @Test
    void aNodeAgentBehindTheBalancerIsAdmittedWithItsOwnAddress() throws Exception {
        List<String> helloAddresses = new CopyOnWriteArrayList<>();
        Gateway hub = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator(new RecordingAuthenticator())
                .nodeAuthenticator(hello -> {
                    helloAddresses.add(hello.remoteAddress());
                    return CompletableFuture.completedFuture(new NodeAdmission.Admitted(UUID.randomUUID(), UUID.randomUUID(),
                            "DE", null, "berlin", 3320, null, "wifi"));
                })
                .usageSink(new RecordingUsageSink())
                .nodeStore(NodeStore.NONE)
                .proxyProtocol(ProxyProtocol.trusting(List.of("127.0.0.1"), 2_000))
                .build();
        hub.start();
        try (ServerSocket balancer = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> relayWithHeader(balancer, hub.nodeHubPort(), "203.0.113.9"));
            NodeAgent agent = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + balancer.getLocalPort() + "/ws"),
                    "ipn_" + "0123456789abcdef".repeat(3), "behind-lb", "behind-lb", "DE", null, "berlin", 0, null, "wifi",
                    false, true, List.of(), List.of(), TunnelSettings.DEFAULTS));
            try {
                agent.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> agent.status().state() == AgentStatus.State.CONNECTED);
                assertThat(helloAddresses).containsExactly("203.0.113.9");
            } finally {
                agent.close();
            }
        } finally {
            hub.close();
        }
    }

    /** One connection of a PROXY-v1-speaking TCP balancer: header naming {@code client}, then both directions copied. */
    static void relayWithHeader(ServerSocket balancer, int backendPort, String client) {
        try (Socket front = balancer.accept(); Socket back = new Socket(InetAddress.getLoopbackAddress(), backendPort)) {
            back.getOutputStream().write(bytes("PROXY TCP4 " + client + " 127.0.0.1 40001 " + backendPort + "\r\n"));
            Thread up = Thread.ofVirtual().start(() -> {
                try {
                    front.getInputStream().transferTo(back.getOutputStream());
                } catch (IOException closed) {
                    // the other side ended the connection
                }
            });
            try {
                back.getInputStream().transferTo(front.getOutputStream());
            } catch (IOException closed) {
                // the other side ended the connection
            }
            up.join();
        } catch (IOException | InterruptedException e) {
            // the test has ended
        }
    }

    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** A version 2 PROXY header over TCP/IPv4 (haproxy's proxy-protocol.txt §2.2). */
    static byte[] v2Header(InetAddress source, int sourcePort, int destinationPort) {
        return ByteBuffer.allocate(28).put(V2_SIGNATURE).put((byte) 0x21).put((byte) 0x11).putShort((short) 12)
                .put(source.getAddress()).put(InetAddress.getLoopbackAddress().getAddress())
                .putShort((short) sourcePort).putShort((short) destinationPort).array();
    }

    static String get() {
        String authority = "127.0.0.1:" + origin.getAddress().getPort();
        return "GET http://" + authority + "/ HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n"
                + "Proxy-Authorization: Basic " + HostileInputIT.basic() + "\r\n\r\n";
    }

    /** Sends {@code bytes}, reads to EOF (a reset counts as the end). */
    static byte[] exchange(int port, byte[] bytes) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try {
                s.getInputStream().transferTo(got);
            } catch (IOException reset) {
                // a refused connection may be reset rather than closed
            }
            return got.toByteArray();
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Accepts the test customer and records the address it was asked about. */
    static final class RecordingAuthenticator implements ProxyAuthenticator {
        @Override
        public CompletionStage<AuthResult> authenticate(String customerId, String apiKeySha256Hex, InetAddress clientAddress) {
            seen.add(clientAddress);
            boolean ok = TestSupport.CUSTOMER.equals(customerId) && KeyHashes.sha256Hex(TestSupport.KEY).equals(apiKeySha256Hex);
            return CompletableFuture.completedFuture(ok
                    ? new AuthResult.Accepted(TestSupport.PRINCIPAL)
                    : new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown customer or key"));
        }
    }
}
