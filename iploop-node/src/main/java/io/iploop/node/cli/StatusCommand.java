package io.iploop.node.cli;

import io.iploop.node.AgentStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code proxyclaw status}: what the running agent last wrote to {@code status.properties}. Exits
 * 0 when the agent runs and {@link CliException#NOT_RUNNING 3} when it does not. With
 * {@code --json} the same as one JSON object (fields in docs/node-agent.md#status-and-metrics).
 */
@Command(name = "status", description = "Show whether the agent runs, its connection and what it carried. "
        + "Exit code 0 if running, 3 if not.")
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print one JSON object (for scripts and monitoring) instead of text.")
    private boolean json;

    /** A status file older than this is reported as stale. */
    private static final Duration STALE_AFTER = Duration.ofMillis(4 * StatusFile.WRITE_INTERVAL_MILLIS);

    @ParentCommand
    private ProxyClawCli cli;

    @Override
    public Integer call() {
        ConfigDir dir = cli.configDir();
        PrintWriter out = cli.out();
        Optional<ProcessHandle> running = dir.runningAgent();
        if (json) {
            Optional<StatusFile.Snapshot> snap = running.isEmpty() ? Optional.empty() : StatusFile.read(dir);
            out.println(StatusJson.render(running.map(ProcessHandle::pid).orElse(null), snap.orElse(null), Instant.now(),
                    STALE_AFTER));
            out.flush();
            return running.isEmpty() ? CliException.NOT_RUNNING : 0;
        }
        if (running.isEmpty()) {
            out.println("proxyclaw is not running");
            return CliException.NOT_RUNNING;
        }
        Optional<StatusFile.Snapshot> snapshot = StatusFile.read(dir);
        if (snapshot.isEmpty()) {
            out.println("proxyclaw is running (pid " + running.get().pid() + "), starting up");
            return 0;
        }
        StatusFile.Snapshot snap = snapshot.get();
        AgentStatus s = snap.status();
        Instant now = Instant.now();
        row(out, "state", s.state().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        row(out, "pid", Long.toString(running.get().pid()));
        row(out, "gateway", snap.gateway());
        row(out, "node id", s.nodeId() == null ? "-" : s.nodeId());
        row(out, "connected since", s.connectedSince() == null ? "-"
                : s.connectedSince() + " (" + Formats.duration(Duration.between(s.connectedSince(), now)) + ")");
        row(out, "active streams", Integer.toString(s.activeStreams()));
        row(out, "streams served", Long.toString(s.streamsServed()));
        row(out, "bytes carried", Formats.bytes(s.bytesCarried()) + " (" + s.bytesCarried() + " bytes; up "
                + Formats.bytes(s.bytesUp()) + ", down " + Formats.bytes(s.bytesDown()) + ")");
        row(out, "uptime", s.startedAt() == null ? "-" : Formats.duration(Duration.between(s.startedAt(), now)));
        row(out, "reconnects", Long.toString(s.reconnects()));
        row(out, "last error", s.lastError() == null ? "-" : s.lastError());
        if (s.state() == AgentStatus.State.DUPLICATE_DEVICE) {
            row(out, "action", "another agent uses this device id; on this copy run: proxyclaw stop; "
                    + "proxyclaw reset-id; proxyclaw start");
        }
        Duration age = Duration.between(snap.updatedAt(), now);
        if (age.compareTo(STALE_AFTER) > 0) {
            row(out, "note", "status is " + Formats.duration(age) + " old; the agent may be hung");
        }
        return 0;
    }

    private static void row(PrintWriter out, String name, String value) {
        out.printf("%-16s %s%n", name + ":", value);
    }
}
