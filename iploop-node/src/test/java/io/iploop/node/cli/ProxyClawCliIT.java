package io.iploop.node.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iploop.node.TestGateway;
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
        assertThat(CliRun.run(home, "status").out()).contains("not running");
        assertThat(Files.readString(home.resolve("agent.log"))).contains("connected: node node-1").contains("proxyclaw stopped");
    }
}
