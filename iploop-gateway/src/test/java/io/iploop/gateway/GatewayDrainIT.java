package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.HttpHeads;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Graceful drain of a gateway (docs/deploy.md#graceful-drain), with a real gateway, a real node
 * agent and a real origin: a long download through a CONNECT tunnel keeps flowing during the drain
 * and completes byte for byte; a new customer connection during the drain is refused; the agent is
 * told to go elsewhere; after the deadline the remaining tunnel is closed and its usage recorded.
 */
class GatewayDrainIT {

    private static final String CUSTOMER = "cust_drain";
    private static final String KEY = "iploop_" + "ef".repeat(24);
    private static final UUID USER = UUID.randomUUID();
    private static final String NODE_KEY = "ipn_" + "2".repeat(48);
    /** 4 MiB sent in 64 KiB pieces every 50 ms: about 3.2 s on the wire. */
    private static final int CHUNK = 64 * 1024;
    private static final int CHUNKS = 64;

    private final List<UsageRecord> usage = new CopyOnWriteArrayList<>();
    private @Nullable Gateway gateway;
    private @Nullable NodeAgent agent;
    private @Nullable ServerSocket origin;

    @BeforeEach
    void start() throws Exception {
        Gateway g = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator((customerId, keyHash, ip) -> CompletableFuture.completedFuture(
                        customerId.equals(CUSTOMER) && keyHash.equals(KeyHashes.sha256Hex(KEY))
                                ? new AuthResult.Accepted(new CustomerPrincipal(USER, CUSTOMER, UUID.randomUUID()))
                                : new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown key")))
                .usageSink(usage::addAll)
                .nodeAuthenticator(hello -> CompletableFuture.completedFuture(
                        hello.nodeKeySha256Hex().equals(KeyHashes.sha256Hex(NODE_KEY))
                                ? new NodeAdmission.Admitted(UUID.randomUUID(), USER, "DE", null, "berlin", 3320, null, "wifi")
                                : new NodeAdmission.Refused("unknown node key")))
                .nodeStore(NodeStore.NONE)
                .build();
        g.start();
        gateway = g;
        NodeAgent a = new NodeAgent(new AgentConfig(URI.create("ws://127.0.0.1:" + g.nodeHubPort() + "/ws"), NODE_KEY,
                "drain-1", "drain-1", "DE", null, "berlin", 0, null, "wifi", false, true, List.of(), List.of(),
                TunnelSettings.DEFAULTS));
        a.start();
        agent = a;
        await().atMost(Duration.ofSeconds(10)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        await().until(() -> g.nodes().connectedNodes().size() == 1);
        origin = slowOrigin();
    }

    @AfterEach
    void stop() throws IOException {
        if (agent != null) {
            agent.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void openTunnelFinishesDuringDrainWhileNewConnectionsAreRefused() throws Exception {
        Gateway g = gateway;
        int proxyPort = g.httpProxyPort();
        try (Socket s = tunnel(proxyPort)) {
            InputStream in = s.getInputStream();
            byte[] first = in.readNBytes(CHUNK);
            assertThat(first).hasSize(CHUNK);
            Future<Integer> drained = CompletableFuture.supplyAsync(() -> g.drain(Duration.ofSeconds(20)));
            await().atMost(Duration.ofSeconds(5)).until(() -> !g.isRunning());

            // A new customer connection during the drain: the listener is closed.
            assertThatThrownBy(() -> {
                try (Socket fresh = new Socket()) {
                    fresh.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxyPort), 2000);
                }
            }).isInstanceOf(ConnectException.class);
            // The agent was told to drain: it leaves the session once its stream is done and cannot come back here.
            byte[] rest = in.readAllBytes();
            assertThat(CHUNK + rest.length).as("bytes of the download that started before the drain")
                    .isEqualTo(CHUNK * CHUNKS);
            s.shutdownOutput(); // the client is done too (a half-closed tunnel stays open, docs/protocol.md §4.6)
            assertThat(drained.get(10, TimeUnit.SECONDS)).as("streams still open at the end of the drain").isZero();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.status().state() != AgentStatus.State.CONNECTED);
        assertThat(g.meterRegistry().get("iploop.gateway.requests").tag("outcome", "carried").counter().count())
                .as("the tunnel counts as a carried request").isEqualTo(1.0);
        g.close();
        assertThat(usage).anySatisfy(r -> assertThat(r.bytesDownloaded()).isGreaterThanOrEqualTo((long) CHUNK * CHUNKS));
    }

    @Test
    void tunnelsStillOpenAtTheDeadlineAreClosed() throws Exception {
        Gateway g = gateway;
        try (Socket s = tunnel(g.httpProxyPort())) {
            InputStream in = s.getInputStream();
            assertThat(in.readNBytes(CHUNK)).hasSize(CHUNK);
            long started = System.nanoTime();
            int left = g.drain(Duration.ofMillis(800));
            assertThat(left).as("the 3 s download cannot finish within 0.8 s").isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(800))
                    .isLessThan(Duration.ofSeconds(3));
            g.close();
            s.setSoTimeout(5000);
            byte[] rest = in.readAllBytes(); // EOF (or reset) once the gateway closed the tunnel
            assertThat(CHUNK + rest.length).isLessThan(CHUNK * CHUNKS);
        } catch (java.net.SocketException reset) {
            // a reset instead of a FIN is also "closed"
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !usage.isEmpty());
        assertThat(usage.getFirst().bytesDownloaded()).isGreaterThanOrEqualTo(CHUNK);
    }

    /** A CONNECT tunnel to the slow origin, its 200 read. */
    private Socket tunnel(int proxyPort) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxyPort);
        s.setSoTimeout(15_000);
        String target = "127.0.0.1:" + origin.getLocalPort();
        String auth = Base64.getEncoder().encodeToString((CUSTOMER + ":" + KEY).getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nProxy-Authorization: Basic "
                + auth + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String head = HttpHeads.read(s.getInputStream());
        assertThat(head).startsWith("HTTP/1.1 200");
        return s;
    }

    /** An origin that sends {@link #CHUNKS} pieces of {@link #CHUNK} bytes, one every 50 ms, then closes. */
    private static ServerSocket slowOrigin() throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            OutputStream out = s.getOutputStream();
                            byte[] piece = new byte[CHUNK];
                            for (int i = 0; i < CHUNKS; i++) {
                                out.write(piece);
                                out.flush();
                                Thread.sleep(50);
                            }
                        } catch (IOException | InterruptedException e) {
                            // the client went away: the test's assertions report it
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return ss;
    }

}
