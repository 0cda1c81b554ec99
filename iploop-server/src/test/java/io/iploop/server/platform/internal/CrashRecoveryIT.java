package io.iploop.server.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.IploopMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code iploop server --local-node} after the previous server was killed with SIGKILL: the
 * embedded PostgreSQL of that run is still running on the data directory (or left a stale pid
 * file); the next start stops it (or removes the file), says so, and comes up by itself.
 */
class CrashRecoveryIT {

    private static final String STARTED = "Started Iploop";

    @TempDir
    Path tmp;

    private final List<Process> servers = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : servers) {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        // Whatever PostgreSQL a failed test left behind.
        postmaster(tmp.resolve("data/postgres")).ifPresent(ProcessHandle::destroyForcibly);
    }

    private Process startServer(Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                IploopMain.class.getName(), "server", "--local-node", "--data-dir", tmp.resolve("data").toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        for (String port : List.of("IPLOOP_HTTP_PORT", "IPLOOP_PROXY_PORT", "IPLOOP_SOCKS_PORT", "IPLOOP_NODE_HUB_PORT",
                "IPLOOP_PROXY_TLS_PORT", "IPLOOP_SOCKS_TLS_PORT", "IPLOOP_NODE_HUB_TLS_PORT")) {
            pb.environment().put(port, "0");
        }
        pb.environment().put("IPLOOP_BIND_ADDRESS", "127.0.0.1");
        pb.environment().remove("IPLOOP_DB_URL");
        Process p = pb.start();
        servers.add(p);
        return p;
    }

    private static void awaitLog(Process p, Path log, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            assertThat(p.isAlive()).as("server exited early:\n%s", Files.exists(log) ? Files.readString(log) : "").isTrue();
            Thread.sleep(250);
        }
        throw new AssertionError("no '" + text + "' in the server log within 180 s:\n" + Files.readString(log));
    }

    /** The running postmaster that owns {@code pgDir}, per its pid file and command line. */
    private static Optional<ProcessHandle> postmaster(Path pgDir) {
        try {
            Path pidFile = pgDir.resolve(StalePostmaster.PID_FILE);
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> StalePostmaster.isPostmasterOf(h, pgDir));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Test
    void aRestartAfterSigkillStopsTheOrphanedPostgresAndComesUp() throws Exception {
        Path pgDir = tmp.resolve("data/postgres");
        Path firstLog = tmp.resolve("first.log");
        Process first = startServer(firstLog);
        awaitLog(first, firstLog, STARTED);

        first.destroyForcibly(); // SIGKILL: no shutdown hook, PostgreSQL is left running
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Optional<ProcessHandle> orphan = postmaster(pgDir);
        assertThat(orphan).as("the killed server's PostgreSQL is still running").isPresent();

        Path secondLog = tmp.resolve("second.log");
        Process second = startServer(secondLog);
        awaitLog(second, secondLog, STARTED);
        String log = Files.readString(secondLog);
        assertThat(log).contains("The embedded PostgreSQL of a previous run (pid " + orphan.get().pid() + ") still owns")
                .contains("Stopped the orphaned embedded PostgreSQL (pid " + orphan.get().pid() + ")");
        assertThat(orphan.get().isAlive()).isFalse();
        assertThat(postmaster(pgDir)).as("a new PostgreSQL runs").isPresent()
                .get().extracting(ProcessHandle::pid).isNotEqualTo(orphan.get().pid());
    }

    @Test
    void aPidFileOfAPostmasterThatIsGoneIsRemoved() throws Exception {
        Path pgDir = Files.createDirectories(tmp.resolve("pg"));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        Files.writeString(pgDir.resolve(StalePostmaster.PID_FILE), gone.pid() + "\n" + pgDir + "\n1700000000\n5432\n");

        assertThat(StalePostmaster.recover(pgDir)).isEqualTo(StalePostmaster.Outcome.REMOVED_STALE_PID_FILE);
        assertThat(pgDir.resolve(StalePostmaster.PID_FILE)).doesNotExist();
        assertThat(StalePostmaster.recover(pgDir)).isEqualTo(StalePostmaster.Outcome.CLEAN);
    }

    @Test
    void aPidFileNamingAnotherProgramLeavesThatProgramAlone() throws Exception {
        Path pgDir = Files.createDirectories(tmp.resolve("pg"));
        Process other = new ProcessBuilder("sleep", "60").start();
        servers.add(other);
        Files.writeString(pgDir.resolve(StalePostmaster.PID_FILE), other.pid() + "\n" + pgDir + "\n1700000000\n5432\n");

        assertThat(StalePostmaster.recover(pgDir)).isEqualTo(StalePostmaster.Outcome.REMOVED_STALE_PID_FILE);
        assertThat(other.isAlive()).as("a reused pid is not PostgreSQL: never signalled").isTrue();
    }

    @Test
    void aDirectoryInUseByALiveServerIsLeftAloneAndTheStartSaysWhy() throws Exception {
        Path dataDir = tmp.resolve("live");
        EmbeddedDatabase.Started running = EmbeddedDatabase.start(dataDir, 0);
        try {
            long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve(StalePostmaster.PID_FILE)).getFirst().strip());
            assertThat(StalePostmaster.recover(dataDir.resolve("postgres"))).isEqualTo(StalePostmaster.Outcome.IN_USE);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> EmbeddedDatabase.start(dataDir, 0))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("another IPLoop server is running on " + dataDir);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("its PostgreSQL is untouched").contains(true);
        } finally {
            running.server().close();
        }
    }
}
