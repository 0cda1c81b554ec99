package io.iploop.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.gateway.spi.KeyHashes;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.UsageRecord;
import io.iploop.gateway.testing.HttpHeads;
import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.NodeAgent;
import io.iploop.tunnel.TunnelSettings;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TCP half-close end to end (docs/protocol.md §4.6) with a real gateway, through a real node agent
 * and through the direct exit: clients that send a request, shut down their write side and read
 * to EOF, against an origin that answers only after EOF, through CONNECT and SOCKS5; the reverse
 * (the origin ends first while the client keeps sending); and the exit's DNS failure reported as
 * RFC 9209 {@code dns_error} and SOCKS5 reply 0x04.
 */
class HalfCloseIT {

    private static final String CUSTOMER = "cust_test";
    private static final String KEY = "iploop_" + "cd".repeat(24);
    private static final UUID USER = UUID.randomUUID();
    private static final String NODE_KEY = "ipn_" + "1".repeat(48);

    /**
     * Where the tunnel leaves: through a node agent over TCP, through an agent in this process over
     * the hub's in-process listener (the local node's transport, docs/protocol.md#in-process-transport),
     * or from the gateway host.
     */
    enum Exit { NODE, IN_PROCESS_NODE, DIRECT }

    private final List<UsageRecord> usage = new CopyOnWriteArrayList<>();
    private @Nullable Gateway gateway;
    private @Nullable NodeAgent agent;
    private @Nullable ServerSocket origin;

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

    private Gateway start(Exit exit) throws Exception {
        Gateway.Builder b = Gateway.builder(GatewayConfig.forTests())
                .proxyAuthenticator((customerId, keyHash, ip) -> CompletableFuture.completedFuture(
                        customerId.equals(CUSTOMER) && keyHash.equals(KeyHashes.sha256Hex(KEY))
                                ? new AuthResult.Accepted(new CustomerPrincipal(USER, CUSTOMER, UUID.randomUUID()))
                                : new AuthResult.Rejected(AuthResult.RejectReason.BAD_CREDENTIALS, "unknown key")))
                .usageSink(usage::addAll);
        if (exit == Exit.DIRECT) {
            b.directExit(true).withoutNodeHub();
        } else {
            b.nodeAuthenticator(hello -> CompletableFuture.completedFuture(
                            hello.nodeKeySha256Hex().equals(KeyHashes.sha256Hex(NODE_KEY))
                                    ? new NodeAdmission.Admitted(UUID.randomUUID(), USER, "DE", null, "berlin", 3320, null, "wifi")
                                    : new NodeAdmission.Refused("unknown node key")))
                    .nodeStore(NodeStore.NONE);
        }
        Gateway g = b.build();
        g.start();
        gateway = g;
        if (exit != Exit.DIRECT) {
            // In process, the agent is given a port nothing listens on: it can only connect in-process.
            int hubPort = exit == Exit.NODE ? g.nodeHubPort() : 1;
            AgentConfig config = new AgentConfig(URI.create("ws://127.0.0.1:" + hubPort + "/ws"), NODE_KEY,
                    "hc-1", "hc-1", "DE", null, "berlin", 0, null, "wifi", false, true, List.of(), List.of(),
                    TunnelSettings.DEFAULTS);
            NodeAgent a = exit == Exit.NODE ? new NodeAgent(config)
                    : new NodeAgent(config, List.of(), new NodeAgent.SharedLoops(g.workerGroup(), g.socketChannelClass(),
                            null, g.bindInProcessNodeHub().orElseThrow()));
            a.start();
            agent = a;
            await().atMost(Duration.ofSeconds(10)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
            await().until(() -> g.nodes().connectedNodes().size() == 1);
        }
        return g;
    }

    /** An origin that reads every byte until the client's FIN, then answers {@code "got N:" + bytes} and closes. */
    private int echoUntilEofOrigin() throws IOException {
        return serve(s -> {
            byte[] in = s.getInputStream().readAllBytes();
            OutputStream out = s.getOutputStream();
            out.write(("got " + in.length + ":").getBytes(StandardCharsets.US_ASCII));
            out.write(in);
            out.flush();
        });
    }

    private interface Conversation {
        void run(Socket s) throws IOException;
    }

    private int serve(Conversation c) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        origin = ss;
        Thread.ofVirtual().start(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            c.run(s);
                        } catch (IOException e) {
                            // the test's assertions report what went wrong
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return ss.getLocalPort();
    }

    private static byte[] payload(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static byte[] expectedEcho(byte[] sent) {
        byte[] head = ("got " + sent.length + ":").getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + sent.length);
        System.arraycopy(sent, 0, all, head.length, sent.length);
        return all;
    }

    /** Byte-exact comparison that reports lengths and the first difference, not megabytes of bytes. */
    private static void assertSameBytes(byte[] actual, byte[] expected) {
        int mismatch = Arrays.mismatch(actual, expected);
        assertThat(mismatch).as("first differing byte of %d received, %d expected", actual.length, expected.length).isEqualTo(-1);
    }

    private static String connectRequest(String target) {
        String auth = Base64.getEncoder().encodeToString((CUSTOMER + ":" + KEY).getBytes(StandardCharsets.US_ASCII));
        return "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n";
    }


    @ParameterizedTest
    @EnumSource(Exit.class)
    void connectClientThatHalfClosesGetsTheWholeAnswer(Exit exit) throws Exception {
        Gateway g = start(exit);
        int port = echoUntilEofOrigin();
        // 600 KiB: more than the initial 256 KiB window each way, so credit keeps flowing after the FIN.
        byte[] sent = payload(600 * 1024);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.httpProxyPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            // Request, tunnel bytes and FIN all at once, before the 200: the FIN arrives while the exit opens.
            out.write(connectRequest("127.0.0.1:" + port).getBytes(StandardCharsets.US_ASCII));
            out.write(sent);
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            String head = HttpHeads.read(in);
            assertThat(head).startsWith("HTTP/1.1 200");
            assertSameBytes(in.readAllBytes(), expectedEcho(sent));
        }
    }

    @ParameterizedTest
    @EnumSource(Exit.class)
    void socks5ClientThatHalfClosesGetsTheWholeAnswer(Exit exit) throws Exception {
        Gateway g = start(exit);
        int port = echoUntilEofOrigin();
        byte[] sent = payload(300 * 1024 + 17);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.socksPort())) {
            s.setSoTimeout(20_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            socksConnect(s, in, new byte[] {1, 127, 0, 0, 1}, port);
            assertThat(in.readUnsignedByte()).as("SOCKS5 reply").isZero();
            in.readFully(new byte[8]); // rsv, atyp, bound address and port
            OutputStream out = s.getOutputStream();
            out.write(sent);
            out.flush();
            s.shutdownOutput();
            assertSameBytes(in.readAllBytes(), expectedEcho(sent));
        }
    }

    @ParameterizedTest
    @EnumSource(Exit.class)
    void originThatEndsFirstLetsTheClientKeepSending(Exit exit) throws Exception {
        Gateway g = start(exit);
        CompletableFuture<byte[]> originReceived = new CompletableFuture<>();
        int port = serve(s -> {
            s.getOutputStream().write("hello, then EOF".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            originReceived.complete(s.getInputStream().readAllBytes());
        });
        byte[] sent = payload(400 * 1024);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.httpProxyPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(connectRequest("127.0.0.1:" + port).getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertThat(HttpHeads.read(in)).startsWith("HTTP/1.1 200");
            assertThat(in.readAllBytes()).as("the origin's bytes, then EOF").isEqualTo("hello, then EOF".getBytes(StandardCharsets.US_ASCII));
            // Our read side has ended; the write side still carries everything to the origin.
            s.getOutputStream().write(sent);
            s.shutdownOutput();
            assertSameBytes(originReceived.get(20, TimeUnit.SECONDS), sent);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !usage.isEmpty());
    }

    @ParameterizedTest
    @EnumSource(Exit.class)
    void unresolvableNameIsADnsErrorNotARefusal(Exit exit) throws Exception {
        Gateway g = start(exit);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.httpProxyPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(connectRequest("nonexistent.invalid:80").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 502");
            assertThat(answer).containsPattern("(?i)Proxy-Status: iploop; error=dns_error; rcode=\"(NXDOMAIN|SERVFAIL)\"");
            assertThat(answer).doesNotContain("connection_refused");
        }
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), g.socksPort())) {
            s.setSoTimeout(20_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] name = "nonexistent.invalid".getBytes(StandardCharsets.US_ASCII);
            byte[] addr = new byte[2 + name.length];
            addr[0] = 3;
            addr[1] = (byte) name.length;
            System.arraycopy(name, 0, addr, 2, name.length);
            socksConnect(s, in, addr, 80);
            assertThat(in.readUnsignedByte()).as("RFC 1928 §6: 0x04 host unreachable").isEqualTo(4);
        }
    }

    /** RFC 1928/1929: greeting with username/password, then CONNECT; leaves the reply's VER read. */
    private static void socksConnect(Socket s, DataInputStream in, byte[] atypAndAddress, int port) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(new byte[] {5, 1, 2});
        assertThat(in.readUnsignedByte()).isEqualTo(5);
        assertThat(in.readUnsignedByte()).as("username/password method").isEqualTo(2);
        byte[] user = CUSTOMER.getBytes(StandardCharsets.US_ASCII);
        byte[] pass = KEY.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream auth = new ByteArrayOutputStream();
        auth.write(1);
        auth.write(user.length);
        auth.write(user);
        auth.write(pass.length);
        auth.write(pass);
        out.write(auth.toByteArray());
        assertThat(in.readUnsignedByte()).isEqualTo(1);
        assertThat(in.readUnsignedByte()).as("auth status").isZero();
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.write(new byte[] {5, 1, 0});
        req.write(atypAndAddress);
        req.write(port >> 8);
        req.write(port & 0xFF);
        out.write(req.toByteArray());
        out.flush();
        assertThat(in.readUnsignedByte()).as("reply version").isEqualTo(5);
    }
}
