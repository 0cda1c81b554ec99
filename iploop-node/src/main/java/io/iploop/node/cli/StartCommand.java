package io.iploop.node.cli;

import io.iploop.node.AgentConfig;
import io.iploop.node.AgentStatus;
import io.iploop.node.MonthlyDataCap;
import io.iploop.node.NodeAgent;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code proxyclaw start [-d]}: runs the agent in the foreground until SIGINT/SIGTERM, or
 * re-executes itself in the background ({@link Daemon}). While running it writes
 * {@code agent.pid} and rewrites {@code status.properties} every few seconds.
 */
@Command(name = "start", description = "Start sharing: in the foreground (Ctrl-C stops), or in the background with -d.")
final class StartCommand implements Callable<Integer> {

    /** How often the foreground loop looks at the agent, in ms. */
    private static final long TICK_MILLIS = 1_000;
    /** How often a connected agent prints a summary line. */
    private static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(5);

    @ParentCommand
    private ProxyClawCli cli;

    @Option(names = {"-d", "--daemon"}, description = "run in the background; output goes to agent.log in the config directory")
    private boolean daemon;

    @Override
    public Integer call() throws InterruptedException {
        ConfigDir dir = cli.configDir();
        EffectiveConfig effective = new EffectiveConfig(dir, cli.env());
        AgentConfig config = effective.toAgentConfig();
        long self = ProcessHandle.current().pid();
        Optional<ProcessHandle> running = dir.runningAgent();
        if (running.isPresent() && running.get().pid() != self) {
            throw CliException.runtime("already running (pid " + running.get().pid() + "); stop it with: proxyclaw stop");
        }
        if (daemon) {
            return Daemon.spawn(cli, dir);
        }
        return runForeground(dir, config);
    }

    /** The month's traffic count of the data cap, in the config directory (docs/node-agent.md). */
    static final String DATA_CAP_FILE = "data-cap";

    private int runForeground(ConfigDir dir, AgentConfig config) throws InterruptedException {
        PrintWriter out = cli.out();
        NodeAgent agent;
        try {
            agent = new NodeAgent(config);
            agent.limitBandwidth(new EffectiveConfig(dir, cli.env()).bandwidthLimitMbps());
            EffectiveConfig effective = new EffectiveConfig(dir, cli.env());
            agent.allowPorts(effective.allowedPorts());
            Integer capGb = effective.monthlyDataCapGb();
            agent.limitAvailability(effective.activeHours(), capGb == null ? null
                    : new MonthlyDataCap(capGb, dir.file(DATA_CAP_FILE), YearMonth.now()));
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        long pid = ProcessHandle.current().pid();
        Duration drain = new EffectiveConfig(dir, cli.env()).drainTimeout();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cli.requestStop();
            try {
                // The JVM exits when this hook returns: give the drain its full time.
                finished.await(drain.toSeconds() + StopCommand.MARGIN_SECONDS / 2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "proxyclaw-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        java.net.InetSocketAddress metricsAt = new EffectiveConfig(dir, cli.env()).metricsAddress();
        MetricsEndpoint metrics = null;
        try {
            dir.writePid(pid);
            out.printf("proxyclaw %s: device %s%s, gateway %s (pid %d)%n", NodeAgent.version(), config.deviceId(),
                    config.deviceName() == null ? "" : " \"" + config.deviceName() + "\"", config.gatewayUri(), pid);
            if (config.allowLoopbackEgress()) {
                out.println("WARNING: " + EffectiveConfig.ENV_ALLOW_LOOPBACK + " is set: streams may reach this machine's "
                        + "loopback services. Test switch only; never use it in production.");
            }
            agent.start();
            if (metricsAt != null) {
                try {
                    metrics = MetricsEndpoint.start(metricsAt, agent::status);
                    out.printf("metrics on http://%s:%d/metrics%n", metricsAt.getHostString(), metrics.address().getPort());
                } catch (java.io.IOException e) {
                    throw CliException.usage("metrics: cannot listen on " + metricsAt + ": " + e.getMessage());
                }
            }
            loop(dir, agent, config.gatewayUri().toString(), pid);
            out.printf("stopping: open streams may finish within %d s…%n", drain.toSeconds());
            out.flush();
            agent.shutdown(drain);
        } finally {
            if (metrics != null) {
                metrics.close();
            }
            agent.close();
            if (dir.readPid().orElse(-1) == pid) {
                dir.delete(ConfigDir.PID_FILE);
            }
            dir.delete(ConfigDir.STATUS_FILE);
            out.println("proxyclaw stopped");
            out.flush();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: that is why we stopped.
            }
        }
        return 0;
    }

    /** Prints state changes and keeps the status file fresh until a stop is requested. */
    private void loop(ConfigDir dir, NodeAgent agent, String gateway, long pid) throws InterruptedException {
        PrintWriter out = cli.out();
        AgentStatus.@Nullable State shown = null;
        long lastWrite = 0;
        Instant lastSummary = Instant.now();
        do {
            AgentStatus s = agent.status();
            boolean changed = s.state() != shown;
            if (changed) {
                printChange(out, s, gateway);
                shown = s.state();
                lastSummary = Instant.now();
            } else if (s.state() == AgentStatus.State.CONNECTED
                    && Duration.between(lastSummary, Instant.now()).compareTo(SUMMARY_INTERVAL) >= 0) {
                out.println(summary(s));
                lastSummary = Instant.now();
            }
            long now = System.nanoTime();
            if (changed || now - lastWrite >= TimeUnit.MILLISECONDS.toNanos(StatusFile.WRITE_INTERVAL_MILLIS)) {
                StatusFile.write(dir, pid, gateway, s);
                lastWrite = now;
            }
            out.flush();
        } while (!cli.stopRequested().await(TICK_MILLIS, TimeUnit.MILLISECONDS));
    }

    private static void printChange(PrintWriter out, AgentStatus s, String gateway) {
        switch (s.state()) {
            case CONNECTING -> out.println("connecting to " + gateway + " …");
            case CONNECTED -> out.println("connected: node " + s.nodeId() + " is sharing (" + summary(s) + ")");
            case BACKING_OFF -> out.println("disconnected: " + s.lastError() + "; reconnecting with backoff");
            case DUPLICATE_DEVICE -> out.println("refused: " + s.lastError() + "; retrying in a few minutes");
            case STOPPING -> out.println("stopping");
            case STOPPED -> out.println("stopped");
            case UNAVAILABLE -> out.println("not sharing: " + s.lastError() + "; reconnects when it may share again");
        }
    }

    static String summary(AgentStatus s) {
        String up = s.connectedSince() == null ? "-" : Formats.duration(Duration.between(s.connectedSince(), Instant.now()));
        return "up " + up + ", " + s.activeStreams() + " active streams, " + s.streamsServed() + " served, "
                + Formats.bytes(s.bytesCarried()) + " carried, " + s.reconnects() + " reconnects";
    }
}
