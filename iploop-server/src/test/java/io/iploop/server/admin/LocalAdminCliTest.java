package io.iploop.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.server.IploopMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code iploop admin}'s argument errors (exit 2) and its failures before reaching a server (exit 1). */
class LocalAdminCliTest {

    @TempDir
    Path dataDir;

    /** Exit code, standard output and standard error of one {@code iploop ...} run. */
    record Run(int exitCode, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new IploopMain());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int rc = cmd.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void planWithoutPlanIdIsAUsageError() {
        Run r = run("admin", "plan", "demo@iploop.local");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter: 'PLAN'").contains("Usage: iploop admin plan");
    }

    @Test
    void nonNumericGbIsAUsageErrorNamingTheOption() {
        Run r = run("admin", "plan", "demo@iploop.local", "growth", "--gb", "lots");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--gb").contains("lots");
    }

    @Test
    void balanceNeedsAReasonAndExactlyOneAmount() {
        Run noReason = run("admin", "balance", "demo@iploop.local", "--add-gb", "1");
        assertThat(noReason.exitCode()).isEqualTo(2);
        assertThat(noReason.err()).contains("--reason");

        Run noAmount = run("admin", "balance", "demo@iploop.local", "--reason", "why");
        assertThat(noAmount.exitCode()).isEqualTo(2);
        assertThat(noAmount.err()).contains("--add-gb").contains("--set-gb");

        Run both = run("admin", "balance", "demo@iploop.local", "--add-gb", "1", "--set-gb", "2", "--reason", "why");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
    }

    @Test
    void adminWithoutSubcommandShowsTheCommands() {
        Run r = run("admin");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("user").contains("plan").contains("balance");
    }

    @Test
    void missingAccessFileSaysTheServerIsNotRunningWithThatDataDir() {
        Run r = run("admin", "user", "demo@iploop.local", "--data-dir", dataDir.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("iploop admin: no " + LocalAdminAccess.file(dataDir))
                .contains("not running with data dir " + dataDir);
    }

    @Test
    void accessFileOfAStoppedServerSaysItIsNotRunning() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Files.createDirectories(LocalAdminAccess.file(dataDir).getParent());
        Files.writeString(LocalAdminAccess.file(dataDir), new LocalAdminAccess(closedPort, "T0KEN").format());

        Run r = run("admin", "user", "demo@iploop.local", "--data-dir", dataDir.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("the server is not running at 127.0.0.1:" + closedPort);
    }

    @Test
    void malformedAccessFileIsNamed() throws IOException {
        Files.createDirectories(LocalAdminAccess.file(dataDir).getParent());
        Files.writeString(LocalAdminAccess.file(dataDir), "port=http\ntoken=x\n");

        Run r = run("admin", "user", "demo@iploop.local", "--data-dir", dataDir.toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("cannot read " + LocalAdminAccess.file(dataDir)).contains("malformed");
    }
}
