package io.iploop.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.iploop.node.SourceOrigin;
import io.iploop.node.StreamCollector;
import io.iploop.node.TestGateway;
import io.iploop.tunnel.ByteStream;
import io.iploop.tunnel.TunnelSession;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.file.attribute.PosixFilePermissions;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code proxyclaw start} for real: in the foreground (in-process) and as a daemon (a child JVM). */
class ProxyClawCliIT {

    private static final String KEY = "ipn_" + "fedcba9876543210".repeat(3);

    @TempDir
    Path home;

    private TestGateway gateway;

    @BeforeEach
    void startGateway() throws Exception {
        gateway = new TestGateway();
        CliRun login = CliRun.run(home, "login", "--key", KEY, "--gateway", gateway.uri().toString());
        assertThat(login.exitCode()).as(login.err()).isZero();
        assertThat(CliRun.run(home, "config", "set", "device-name", "ci-box").exitCode()).isZero();
    }

    @AfterEach
    void stopGateway() {
        // Whatever a failed test left running.
        CliRun.run(home, "stop");
        gateway.close();
    }

    @Test
    void foregroundStartConnectsReportsStatusAndStopsCleanly() throws Exception {
        CliRun.Captured fg = CliRun.cli(home, Map.of(), new StringWriter(), new StringWriter());
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> fg.cli().run("start"));

        gateway.nextSession(20);
        assertThat(gateway.hellos().getFirst().deviceName()).isEqualTo("ci-box");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            CliRun status = CliRun.run(home, "status");
            assertThat(status.exitCode()).isZero();
            assertThat(status.out()).contains("connected").contains("node-1").contains(gateway.uri().toString());
        });
        assertThat(Files.readString(home.resolve("agent.pid")).strip())
                .isEqualTo(Long.toString(ProcessHandle.current().pid()));
        assertThat(fg.out().toString()).contains("connected: node node-1");

        fg.cli().requestStop();

        assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
        assertThat(fg.out().toString()).contains("proxyclaw stopped");
        assertThat(home.resolve("agent.pid")).doesNotExist();
        assertThat(home.resolve("status.properties")).doesNotExist();
        assertThat(CliRun.run(home, "status").out()).contains("not running");
    }

    @Test
    void daemonRunsInTheBackgroundUntilStopped() throws Exception {
        CliRun start = CliRun.run(home, "start", "-d");
        assertThat(start.exitCode()).as(start.out() + start.err()).isZero();
        assertThat(start.out()).contains("started in the background");
        long pid = Long.parseLong(Files.readString(home.resolve("agent.pid")).strip());
        assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());

        gateway.nextSession(30);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(CliRun.run(home, "status").out()).contains("connected").contains("node-1"));

        CliRun again = CliRun.run(home, "start");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("already running (pid " + pid + ")");

        CliRun stop = CliRun.run(home, "stop");
        assertThat(stop.exitCode()).as(stop.err()).isZero();
        assertThat(stop.out()).contains("stopped (pid " + pid + ")");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        CliRun after = CliRun.run(home, "status");
        assertThat(after.exitCode()).isEqualTo(3);
        assertThat(after.out()).contains("not running");
        assertThat(Files.readString(home.resolve("agent.log"))).contains("connected: node node-1").contains("proxyclaw stopped");
    }

    @Test
    void stopLetsARunningDownloadFinishThenTheAgentExits() throws Exception {
        int size = 50 * 1024 * 1024;
        EventLoopGroup originGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-origin", true),
                NioIoHandler.newFactory());
        try {
            Channel origin = new ServerBootstrap().group(originGroup).channel(NioServerSocketChannel.class)
                    .childHandler(new SourceOrigin(size)).bind("127.0.0.1", 0).sync().channel();
            CliRun start = CliRun.run(home, Map.of("PROXYCLAW_ALLOW_LOOPBACK", "true", "PROXYCLAW_ALLOWED_PORTS", "all"), "start", "-d");
            assertThat(start.exitCode()).as(start.out() + start.err()).isZero();
            long pid = Long.parseLong(Files.readString(home.resolve("agent.pid")).strip());
            TunnelSession session = gateway.nextSession(30);
            ByteStream download = session.openStream("127.0.0.1", ((InetSocketAddress) origin.localAddress()).getPort())
                    .get(15, TimeUnit.SECONDS);
            StreamCollector received = new StreamCollector();
            received.hold();
            download.setHandler(received);
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() > 0);

            CompletableFuture<CliRun> stop = CompletableFuture.supplyAsync(() -> CliRun.run(home, "stop"));
            // The agent got SIGTERM and drains: new streams are refused, the download is not cut.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThatThrownBy(() ->
                    session.openStream("127.0.0.1", 9).get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("draining"));
            assertThat(stop).isNotDone();
            assertThat(download.isOpen()).isTrue();

            received.release(download);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(received.size()).isEqualTo(size));
            assertThat(received.bytes()).isEqualTo(SourceOrigin.content(size));
            CliRun stopped = stop.get(30, TimeUnit.SECONDS);
            assertThat(stopped.exitCode()).as(stopped.err()).isZero();
            assertThat(stopped.out()).contains("stopped (pid " + pid + ")");
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(Files.readString(home.resolve("agent.log"))).contains("stopping").contains("proxyclaw stopped");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("agent.log"))))
                    .isEqualTo("rw-------");
            origin.close().sync();
        } finally {
            originGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void statusJsonAndTheMetricsEndpointReportTheSessionAndTheBytesOfADownload() throws Exception {
        int size = 1024 * 1024;
        int metricsPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            metricsPort = free.getLocalPort();
        }
        EventLoopGroup originGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-origin", true),
                NioIoHandler.newFactory());
        CliRun.Captured fg = CliRun.cli(home, Map.of("PROXYCLAW_ALLOW_LOOPBACK", "true", "PROXYCLAW_ALLOWED_PORTS", "all",
                "PROXYCLAW_METRICS", Integer.toString(metricsPort)), new StringWriter(), new StringWriter());
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> fg.cli().run("start"));
        try {
            Channel origin = new ServerBootstrap().group(originGroup).channel(NioServerSocketChannel.class)
                    .childHandler(new SourceOrigin(size)).bind("127.0.0.1", 0).sync().channel();
            TunnelSession session = gateway.nextSession(20);
            StreamCollector received = new StreamCollector();
            session.openStream("127.0.0.1", ((InetSocketAddress) origin.localAddress()).getPort())
                    .get(15, TimeUnit.SECONDS).setHandler(received);
            await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == size);
            assertThat(fg.out().toString()).contains("metrics on http://127.0.0.1:" + metricsPort + "/metrics");

            // status --json: the status file is rewritten every 5 s
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                CliRun status = CliRun.run(home, "status", "--json");
                assertThat(status.exitCode()).isZero();
                String json = status.out().strip();
                assertThat(json).startsWith("{").endsWith("}").doesNotContain("\n")
                        .contains("\"running\":true", "\"state\":\"connected\"", "\"nodeId\":\"node-1\"",
                                "\"gateway\":\"" + gateway.uri() + "\"", "\"streamsOpen\":0", "\"lastError\":null",
                                "\"stale\":false");
                java.util.regex.Matcher down = java.util.regex.Pattern.compile("\"bytesDown\":(\\d+)").matcher(json);
                assertThat(down.find()).isTrue();
                assertThat(Long.parseLong(down.group(1))).isGreaterThanOrEqualTo(size);
                assertThat(json).containsPattern("\"uptimeSeconds\":\\d+");
            });

            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpResponse<String> scrape = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
            assertThat(scrape.body()).contains("proxyclaw_up 1\n", "proxyclaw_connected 1\n",
                    "proxyclaw_state{state=\"connected\"} 1\n", "proxyclaw_state{state=\"backing_off\"} 0\n",
                    "proxyclaw_streams_open 0\n", "proxyclaw_streams_served_total 1\n", "# TYPE proxyclaw_bytes_total counter");
            java.util.regex.Matcher down = java.util.regex.Pattern.compile("proxyclaw_bytes_total\\{direction=\"down\"\\} (\\d+)")
                    .matcher(scrape.body());
            assertThat(down.find()).isTrue();
            assertThat(Long.parseLong(down.group(1))).isGreaterThanOrEqualTo(size);
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + metricsPort + "/"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            origin.close().sync();
        } finally {
            fg.cli().requestStop();
            assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
            originGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        // Stopped: the endpoint is gone.
        assertThatThrownBy(() -> java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
    }
}
