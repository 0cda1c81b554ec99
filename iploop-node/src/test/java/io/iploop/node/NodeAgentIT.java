package io.iploop.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.iploop.tunnel.ByteStream;
import io.iploop.tunnel.Hello;
import io.iploop.tunnel.OpenFailedException;
import io.iploop.tunnel.OpenFailure;
import io.iploop.tunnel.PortPolicy;
import io.iploop.tunnel.TunnelLoopAffinity;
import io.iploop.tunnel.TunnelProtocol;
import io.iploop.tunnel.TunnelSession;
import io.iploop.tunnel.TunnelSettings;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real agent against a minimal gateway-side tunnel server and a real local echo origin, all on
 * loopback sockets.
 */
class NodeAgentIT {

    private static final String KEY = "ipn_" + "0123456789abcdef".repeat(3);

    private EventLoopGroup originGroup;
    private Channel echoServer;
    private TestGateway gateway;
    private @Nullable NodeAgent agent;

    @BeforeEach
    void startServers() throws InterruptedException {
        originGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-origin", true), NioIoHandler.newFactory());
        echoServer = new ServerBootstrap().group(originGroup).channel(NioServerSocketChannel.class)
                .childHandler(new Echo()).bind("127.0.0.1", 0).sync().channel();
        gateway = new TestGateway();
    }

    @AfterEach
    void stopServers() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
        gateway.close();
        echoServer.close().sync();
        originGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private NodeAgent startAgent(boolean allowLoopback) {
        AgentConfig config = new AgentConfig(gateway.uri(), KEY, "device-1", "test box", "DE", "Berlin", "Berlin",
                3320, "Telekom", "ethernet", false, allowLoopback, List.of(), List.of(), TunnelSettings.DEFAULTS);
        NodeAgent a = new NodeAgent(config, new ReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(2_000), new SplittableRandom()));
        agent = a;
        a.start();
        return a;
    }

    private int echoPort() {
        return ((InetSocketAddress) echoServer.localAddress()).getPort();
    }

    @Test
    void introducesItselfAndRelaysBytesBothWays() throws Exception {
        NodeAgent a = startAgent(true);
        TunnelSession session = gateway.nextSession(10);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);

        Hello hello = gateway.hellos().getFirst();
        assertThat(hello.protocolVersion()).isEqualTo(TunnelProtocol.VERSION);
        assertThat(hello.nodeKey()).isEqualTo(KEY);
        assertThat(hello.deviceId()).isEqualTo("device-1");
        assertThat(hello.deviceName()).isEqualTo("test box");
        assertThat(hello.platform()).startsWith(System.getProperty("os.name"));
        assertThat(hello.agentVersion()).isNotBlank();
        assertThat(hello.country()).isEqualTo("DE");
        assertThat(hello.asn()).isEqualTo(3320);
        assertThat(hello.connectionType()).isEqualTo("ethernet");
        assertThat(hello.localExit()).isFalse();
        assertThat(a.status().nodeId()).isEqualTo("node-1");
        assertThat(a.status().connectedSince()).isNotNull();

        ByteStream stream = session.openStream("127.0.0.1", echoPort()).get(10, TimeUnit.SECONDS);
        StreamCollector echoed = new StreamCollector();
        stream.setHandler(echoed);
        byte[] payload = new byte[1024 * 1024 + 17];
        new Random(7).nextBytes(payload);
        for (int off = 0; off < payload.length; off += 16 * 1024) {
            stream.write(Unpooled.wrappedBuffer(payload, off, Math.min(16 * 1024, payload.length - off)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> echoed.size() == payload.length);
        assertThat(echoed.bytes()).isEqualTo(payload);
        assertThat(a.status().activeStreams()).isEqualTo(1);
        assertThat(a.status().streamsServed()).isEqualTo(1);
        assertThat(a.status().bytesCarried()).isEqualTo(2L * payload.length);

        stream.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().activeStreams() == 0);
    }

    /**
     * docs/protocol.md §4.6: the gateway's FIN makes the agent shut down its exit socket's output
     * (the origin sees EOF while the tunnel stays up), and the origin's FIN comes back as FIN
     * after all its data; both FINs close the stream.
     */
    @Test
    void finShutsDownTheExitSocketOutputAndTheOriginsFinComesBack() throws Exception {
        startAgent(true);
        TunnelSession session = gateway.nextSession(10);
        assertThat(session.halfCloseNegotiated()).isTrue();
        java.util.concurrent.CompletableFuture<byte[]> originGot = new java.util.concurrent.CompletableFuture<>();
        try (ServerSocket origin = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (java.net.Socket s = origin.accept()) {
                    // Answers only after EOF: the request is complete once the client shut down its side.
                    byte[] request = s.getInputStream().readAllBytes();
                    originGot.complete(request);
                    s.getOutputStream().write(("got " + request.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                } catch (java.io.IOException e) {
                    originGot.completeExceptionally(e);
                }
            });
            ByteStream stream = session.openStream("127.0.0.1", origin.getLocalPort()).get(10, TimeUnit.SECONDS);
            HalfCloseCollector answer = new HalfCloseCollector();
            stream.setHandler(answer);
            byte[] request = new byte[300 * 1024];
            new Random(3).nextBytes(request);
            stream.write(Unpooled.wrappedBuffer(request));
            stream.shutdownOutput();

            assertThat(originGot.get(20, TimeUnit.SECONDS)).isEqualTo(request);
            await().atMost(Duration.ofSeconds(10)).until(() -> answer.closed);
            assertThat(answer.data.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("got " + request.length);
            assertThat(answer.events).containsExactly("data", "fin", "closed:null");
            assertThat(stream.isOpen()).isFalse();
        }
    }

    /** Records data, FIN and close, in order. */
    private static final class HalfCloseCollector implements ByteStream.Handler {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public void onData(ByteStream stream, ByteBuf buf) {
            int n = buf.readableBytes();
            byte[] copy = new byte[n];
            buf.readBytes(copy);
            buf.release();
            data.write(copy, 0, n);
            if (events.isEmpty() || !events.getLast().equals("data")) {
                events.add("data");
            }
            stream.ack(n);
        }

        @Override
        public void onWritabilityChanged(ByteStream stream) {}

        @Override
        public void onInputShutdown(ByteStream stream) {
            events.add("fin");
        }

        @Override
        public void onClosed(ByteStream stream, @Nullable String error) {
            events.add("closed:" + error);
            closed = true;
        }
    }

    @Test
    void privateAndSmtpTargetsAreForbiddenEvenWithLoopbackAllowed() throws Exception {
        startAgent(true);
        TunnelSession session = gateway.nextSession(10);

        assertOpenFails(session, "10.0.0.1", 80, OpenFailure.FORBIDDEN, "10.0.0.1");
        assertOpenFails(session, "169.254.169.254", 80, OpenFailure.FORBIDDEN, "169.254.169.254");
        assertOpenFails(session, "192.168.1.1", 443, OpenFailure.FORBIDDEN, "192.168.1.1");
        assertOpenFails(session, "127.0.0.1", 25, OpenFailure.FORBIDDEN, "SMTP");
    }

    /** docs/node-agent.md#allowed-ports: the default 80/443 policy refuses SSH and says so in HELLO. */
    @Test
    void theDefaultPortPolicyRefusesPort22AndIsAnnouncedInHello() throws Exception {
        AgentConfig config = new AgentConfig(gateway.uri(), KEY, "device-1", null, null, null, null, 0, null, null,
                false, true, List.of(), List.of(), TunnelSettings.DEFAULTS);
        NodeAgent a = new NodeAgent(config, new ReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(2_000), new SplittableRandom()));
        agent = a;
        a.allowPorts(PortPolicy.WEB);
        a.start();
        TunnelSession session = gateway.nextSession(10);
        assertThat(gateway.hellos().getFirst().allowedPorts()).isEqualTo(PortPolicy.WEB);

        assertOpenFails(session, "127.0.0.1", 22, OpenFailure.FORBIDDEN, "port 22 is not in this node's allowed ports (80,443)");
        assertOpenFails(session, "127.0.0.1", echoPort(), OpenFailure.FORBIDDEN, "allowed ports");
        assertThat(a.status().streamsServed()).isZero();
    }

    @Test
    void anAgentWithoutAPolicyAnnouncesAllPorts() throws Exception {
        startAgent(true);
        TunnelSession session = gateway.nextSession(10);
        assertThat(gateway.hellos().getFirst().allowedPorts().isAll()).isTrue();
        assertEchoes(session);
    }

    /** docs/node-agent.md#active-hours-and-monthly-data-cap: outside its hours the agent is not connected. */
    @Test
    void outsideActiveHoursTheAgentDisconnectsAndComesBackWhenTheyStart() throws Exception {
        MutableClock clock = new MutableClock(LocalDateTime.of(2026, 12, 7, 7, 0));
        NodeAgent a = unstartedAgent();
        a.limitAvailability(ActiveHours.parse("08:00-09:00"), null, clock, 100);
        a.start();
        assertThat(a.status().state()).isEqualTo(AgentStatus.State.UNAVAILABLE);
        assertThat(a.status().lastError()).contains("outside active hours (08:00-09:00)");
        Thread.sleep(400);
        assertThat(gateway.hellos()).as("no connection outside the hours").isEmpty();

        clock.set(LocalDateTime.of(2026, 12, 7, 8, 0));
        TunnelSession session = gateway.nextSession(10);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        assertEchoes(session);

        clock.set(LocalDateTime.of(2026, 12, 7, 9, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.closedSessions().contains(session));
        assertThat(a.status().state()).isEqualTo(AgentStatus.State.UNAVAILABLE);
    }

    /** The cap counts both directions, survives a restart in its file, and a new month starts from zero. */
    @Test
    void overTheMonthlyCapTheAgentDisconnectsUntilTheNextMonth(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data-cap");
        // 1 GB less 10 bytes already carried this month, as a previous run left it; each echo carries 8.
        Files.writeString(file, "2026-12 " + (MonthlyDataCap.BYTES_PER_GB - 10) + "\n");
        MutableClock clock = new MutableClock(LocalDateTime.of(2026, 12, 31, 23, 0));
        MonthlyDataCap cap = new MonthlyDataCap(1, file, YearMonth.of(2026, 12));
        NodeAgent a = unstartedAgent();
        a.limitAvailability(ActiveHours.ALWAYS, cap, clock, 100);
        a.start();
        TunnelSession session = gateway.nextSession(10);
        assertEchoes(session);
        assertEchoes(session);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().state() == AgentStatus.State.UNAVAILABLE);
        assertThat(a.status().lastError()).contains("monthly data cap of 1 GB reached");
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.closedSessions().contains(session));
        assertThat(Long.parseLong(Files.readString(file).strip().split(" ")[1])).isGreaterThanOrEqualTo(MonthlyDataCap.BYTES_PER_GB);

        clock.set(LocalDateTime.of(2027, 1, 1, 0, 0));
        TunnelSession next = gateway.nextSession(10);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        assertEchoes(next);
    }

    private NodeAgent unstartedAgent() {
        AgentConfig config = new AgentConfig(gateway.uri(), KEY, "device-1", null, null, null, null, 0, null, null,
                false, true, List.of(), List.of(), TunnelSettings.DEFAULTS);
        NodeAgent a = new NodeAgent(config, new ReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(2_000), new SplittableRandom()));
        agent = a;
        return a;
    }

    /** A settable wall clock in UTC (the agent reads local date-time from it). */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(LocalDateTime t) {
            set(t);
        }

        void set(LocalDateTime t) {
            now = t.toInstant(ZoneOffset.UTC);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void loopbackIsForbiddenWithoutTheTestSwitch() throws Exception {
        startAgent(false);
        TunnelSession session = gateway.nextSession(10);

        assertOpenFails(session, "127.0.0.1", echoPort(), OpenFailure.FORBIDDEN, "loopback");
        assertOpenFails(session, "localhost", echoPort(), OpenFailure.FORBIDDEN, "loopback");
    }

    @Test
    void connectFailuresMapToTheirReasons() throws Exception {
        startAgent(true);
        TunnelSession session = gateway.nextSession(10);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }

        assertOpenFails(session, "127.0.0.1", closedPort, OpenFailure.CONNECTION_REFUSED, String.valueOf(closedPort));
        // An unresolvable name is a DNS failure (not a refusal); without network DNS the resolver may fail instead.
        OpenFailedException dns = assertThrowsOpenFailed(session, "no-such-host.invalid", 80);
        assertThat(dns.failure()).isIn(OpenFailure.DNS_FAILURE, OpenFailure.DNS_SERVER_FAILURE);
        assertThat(dns.getMessage()).contains("no-such-host.invalid");
    }

    @Test
    void reconnectsByItselfAfterTheGatewayRestarts() throws Exception {
        NodeAgent a = startAgent(true);
        gateway.nextSession(10);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);

        gateway.stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().state() != AgentStatus.State.CONNECTED);
        assertThat(a.status().lastError()).isNotNull();
        Thread.sleep(500); // a few failed attempts against the closed port
        gateway.start();

        TunnelSession second = gateway.nextSession(10);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
        assertThat(a.status().reconnects()).isGreaterThanOrEqualTo(1);
        assertThat(a.status().nodeId()).isEqualTo("node-2");
        assertEchoes(second);
    }

    @Test
    void aRefusedAgentKeepsRetryingWithTheCappedDelay() throws Exception {
        gateway.refuseWith("unknown node key");
        NodeAgent a = startAgent(true);

        await().atMost(Duration.ofSeconds(5)).until(() -> "unknown node key".equals(a.status().lastError()));
        assertThat(a.status().state()).isEqualTo(AgentStatus.State.BACKING_OFF);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.hellos().size() >= 2);
        List<Long> at = gateway.helloNanos();
        // The test backoff caps at 2 s: a refusal waits 1-2 s, a failure at most 50 ms first.
        assertThat(TimeUnit.NANOSECONDS.toMillis(at.get(1) - at.get(0))).isGreaterThanOrEqualTo(1_000);

        gateway.refuseWith(null);
        gateway.nextSession(5);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().state() == AgentStatus.State.CONNECTED);
    }

    @Test
    void drainMovesToANewSessionWithoutCuttingOpenStreams() throws Exception {
        NodeAgent a = startAgent(true);
        TunnelSession first = gateway.nextSession(10);
        ByteStream open = first.openStream("127.0.0.1", echoPort()).get(10, TimeUnit.SECONDS);
        StreamCollector echoed = new StreamCollector();
        open.setHandler(echoed);

        first.drain(10_000);

        TunnelSession second = gateway.nextSession(10);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().state() == AgentStatus.State.CONNECTED
                && "node-2".equals(a.status().nodeId()));
        // The stream on the draining session still works.
        open.write(Unpooled.wrappedBuffer("still here".getBytes()));
        await().atMost(Duration.ofSeconds(5)).until(() -> echoed.size() == 10);
        assertThat(gateway.closedSessions()).doesNotContain(first);
        assertEchoes(second);

        // Once its last stream ends, the drained session goes away.
        open.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.closedSessions().contains(first));
        assertThat(a.status().state()).isEqualTo(AgentStatus.State.CONNECTED);
    }

    @Test
    void stopLetsARunningDownloadFinishByteExactAndRefusesNewStreams() throws Exception {
        int size = 50 * 1024 * 1024;
        Channel source = new ServerBootstrap().group(originGroup).channel(NioServerSocketChannel.class)
                .childHandler(new SourceOrigin(size)).bind("127.0.0.1", 0).sync().channel();
        try {
            NodeAgent a = startAgent(true);
            TunnelSession session = gateway.nextSession(10);
            ByteStream download = session.openStream("127.0.0.1", ((InetSocketAddress) source.localAddress()).getPort())
                    .get(10, TimeUnit.SECONDS);
            StreamCollector received = new StreamCollector();
            received.hold();
            download.setHandler(received);
            // Without credit the download stalls after its first window: it is surely mid-flight.
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() > 0);

            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> a.shutdown(Duration.ofSeconds(60)));
            await().atMost(Duration.ofSeconds(5)).until(() -> a.status().state() == AgentStatus.State.STOPPING);
            assertOpenFails(session, "127.0.0.1", echoPort(), OpenFailure.UNAVAILABLE, "draining");
            assertThat(stopped).isNotDone();
            assertThat(received.size()).isLessThan(size);

            received.release(download);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(received.size()).isEqualTo(size));
            assertThat(received.bytes()).isEqualTo(SourceOrigin.content(size));
            stopped.get(20, TimeUnit.SECONDS);
            assertThat(a.status().state()).isEqualTo(AgentStatus.State.STOPPED);
            await().atMost(Duration.ofSeconds(5)).until(() -> gateway.closedSessions().contains(session));
        } finally {
            source.close().sync();
        }
    }

    @Test
    void stopClosesStreamsStillOpenAtTheDeadline() throws Exception {
        NodeAgent a = startAgent(true);
        TunnelSession session = gateway.nextSession(10);
        ByteStream idle = session.openStream("127.0.0.1", echoPort()).get(10, TimeUnit.SECONDS);
        StreamCollector c = new StreamCollector();
        idle.setHandler(c);

        a.shutdown(Duration.ofMillis(300));

        assertThat(a.status().state()).isEqualTo(AgentStatus.State.STOPPED);
        assertThat(a.status().activeStreams()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> c.closed() && !idle.isOpen());
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.closedSessions().contains(session));
    }

    /**
     * The server's local node (PROFILE.md, round 5): on loops lent by the process, registered with
     * the hub's {@link TunnelLoopAffinity}, the agent's tunnel connection is served on the agent's
     * own loop and its exit sockets run there too; closing the agent leaves the lent loops running.
     */
    @Test
    void onSharedLoopsTheTunnelIsServedOnTheAgentsLoopAndTheLoopsOutliveTheAgent() throws Exception {
        EventLoopGroup shared = new MultiThreadIoEventLoopGroup(4, new DefaultThreadFactory("test-shared", true),
                NioIoHandler.newFactory());
        TunnelLoopAffinity affinity = new TunnelLoopAffinity();
        try (TestGateway hub = new TestGateway(shared, affinity)) {
            AgentConfig config = new AgentConfig(hub.uri(), KEY, "device-1", "local node", "DE", null, null,
                    0, null, "ethernet", true, true, List.of(), List.of(), TunnelSettings.DEFAULTS);
            NodeAgent a = new NodeAgent(config, Set.of(), new NodeAgent.SharedLoops(shared, NioSocketChannel.class, affinity));
            agent = a;
            a.start();
            TunnelSession session = hub.nextSession(10);
            Channel accepted = hub.connections().getFirst();
            assertThat(affinity.size()).isEqualTo(1);
            assertThat(affinity.loopFor(accepted.remoteAddress())).isSameAs(accepted.eventLoop());

            ByteStream stream = session.openStream("127.0.0.1", echoPort()).get(10, TimeUnit.SECONDS);
            StreamCollector echoed = new StreamCollector();
            stream.setHandler(echoed);
            byte[] payload = new byte[3 * 1024 * 1024 + 5];
            new Random(11).nextBytes(payload);
            for (int off = 0; off < payload.length; off += 64 * 1024) {
                stream.write(Unpooled.wrappedBuffer(payload, off, Math.min(64 * 1024, payload.length - off)));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> echoed.size() == payload.length);
            assertThat(echoed.bytes()).isEqualTo(payload);
            assertThat(a.status().bytesCarried()).isEqualTo(2L * payload.length);
            stream.close();

            a.close();
            agent = null;
            assertThat(a.status().state()).isEqualTo(AgentStatus.State.STOPPED);
            assertThat(shared.isShuttingDown()).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> affinity.size() == 0);
        } finally {
            shared.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void closeReleasesEveryThread() throws Exception {
        Set<Thread> before = liveNonDaemonThreads();
        NodeAgent a = startAgent(true);
        TunnelSession session = gateway.nextSession(10);
        assertEchoes(session);

        a.close();

        assertThat(a.status().state()).isEqualTo(AgentStatus.State.STOPPED);
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("proxyclaw-")).toList()).isEmpty();
        // Netty's shared globalEventExecutor thread (not the agent's) may linger for its 1 s quiet period.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Set<Thread> after = liveNonDaemonThreads();
            after.removeAll(before);
            assertThat(after).isEmpty();
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.closedSessions().contains(session));
        assertThatThrownBy(a::start).isInstanceOf(IllegalStateException.class);
    }

    private static Set<Thread> liveNonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon() && !t.getName().startsWith("awaitility"))
                .collect(Collectors.toSet());
    }

    private void assertEchoes(TunnelSession session) throws Exception {
        ByteStream s = session.openStream("127.0.0.1", echoPort()).get(10, TimeUnit.SECONDS);
        StreamCollector c = new StreamCollector();
        s.setHandler(c);
        s.write(Unpooled.wrappedBuffer("ping".getBytes()));
        await().atMost(Duration.ofSeconds(5)).until(() -> c.size() == 4);
        assertThat(new String(c.bytes())).isEqualTo("ping");
        s.close();
    }

    private static void assertOpenFails(TunnelSession session, String host, int port, OpenFailure failure, String messagePart) {
        assertThatThrownBy(() -> session.openStream(host, port).get(15, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(OpenFailedException.class, e -> {
                    assertThat(e.failure()).as(e.getMessage()).isEqualTo(failure);
                    assertThat(e.getMessage()).contains(messagePart);
                });
    }

    private static OpenFailedException assertThrowsOpenFailed(TunnelSession session, String host, int port) {
        try {
            session.openStream(host, port).get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OpenFailedException ofe) {
                return ofe;
            }
            throw new AssertionError("expected OPEN_FAIL, got " + e.getCause(), e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("OPEN of " + host + ":" + port + " succeeded");
    }

    @Sharable
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }
}
