package io.iploop.node.cli;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code proxyclaw stop}: sends SIGTERM to the agent named in {@code agent.pid} and waits for it
 * to drain its streams ({@code drain-timeout}) and exit; kills it if it takes
 * {@link #MARGIN_SECONDS} longer than that.
 */
@Command(name = "stop", description = "Stop the background agent: SIGTERM, open streams finish (drain-timeout), then it exits.")
final class StopCommand implements Callable<Integer> {

    /** How much longer than its drain timeout the agent gets to exit before it is killed, in seconds. */
    static final long MARGIN_SECONDS = 10;

    @ParentCommand
    private ProxyClawCli cli;

    @Override
    public Integer call() throws InterruptedException {
        ConfigDir dir = cli.configDir();
        Optional<ProcessHandle> running = dir.runningAgent();
        if (running.isEmpty()) {
            boolean stale = dir.readPid().isPresent();
            dir.delete(ConfigDir.PID_FILE);
            dir.delete(ConfigDir.STATUS_FILE);
            cli.out().println("proxyclaw is not running" + (stale ? " (removed a stale pid file)" : ""));
            return 0;
        }
        ProcessHandle agent = running.get();
        if (agent.pid() == ProcessHandle.current().pid()) {
            throw CliException.runtime("agent.pid names this very process; refusing to stop myself");
        }
        long graceSeconds = drainSeconds(dir) + MARGIN_SECONDS;
        if (!agent.destroy()) {
            throw CliException.runtime("cannot signal pid " + agent.pid() + " (not allowed?)");
        }
        try {
            agent.onExit().get(graceSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            cli.err().println("proxyclaw: pid " + agent.pid() + " did not stop within " + graceSeconds + " s; killing it");
            agent.destroyForcibly();
            try {
                agent.onExit().get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e2) {
                throw CliException.runtime("pid " + agent.pid() + " did not exit after SIGKILL");
            }
        } catch (ExecutionException e) {
            throw CliException.runtime("waiting for pid " + agent.pid() + ": " + e.getMessage());
        }
        dir.delete(ConfigDir.PID_FILE);
        dir.delete(ConfigDir.STATUS_FILE);
        cli.out().println("proxyclaw stopped (pid " + agent.pid() + ")");
        return 0;
    }

    /** The drain timeout the agent runs with, as far as this process can tell (the default if the config is broken). */
    private long drainSeconds(ConfigDir dir) {
        try {
            return new EffectiveConfig(dir, cli.env()).drainTimeout().toSeconds();
        } catch (CliException e) {
            return EffectiveConfig.DEFAULT_DRAIN_SECONDS;
        }
    }
}
