package io.iploop.node.cli;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code proxyclaw stop}: sends SIGTERM to the agent named in {@code agent.pid} and waits for it to exit. */
@Command(name = "stop", description = "Stop the background agent (SIGTERM, then wait for it to finish).")
final class StopCommand implements Callable<Integer> {

    /** How long the agent gets to close its streams before it is killed, in seconds. */
    private static final long GRACE_SECONDS = 20;

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
        if (!agent.destroy()) {
            throw CliException.runtime("cannot signal pid " + agent.pid() + " (not allowed?)");
        }
        try {
            agent.onExit().get(GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            cli.err().println("proxyclaw: pid " + agent.pid() + " did not stop within " + GRACE_SECONDS + " s; killing it");
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
}
