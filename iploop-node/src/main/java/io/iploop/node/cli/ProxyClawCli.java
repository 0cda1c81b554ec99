package io.iploop.node.cli;

import io.iploop.node.NodeAgent;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code proxyclaw}: the node agent's command line (docs/product/earn.md#node-agent). Exit codes: 0 ok, 1 runtime
 * error, 2 usage error. Configuration lives in {@code $PROXYCLAW_HOME} (default
 * {@code ~/.proxyclaw}); {@code PROXYCLAW_*} environment variables override it.
 *
 * <p>One instance runs one command line; not thread-safe, except {@link #requestStop()}.
 */
@Command(
        name = "proxyclaw",
        mixinStandardHelpOptions = true,
        versionProvider = ProxyClawCli.Version.class,
        description = "ProxyClaw node agent: share this device's bandwidth through IPLoop and earn credits.",
        subcommands = {
            LoginCommand.class,
            StartCommand.class,
            StopCommand.class,
            StatusCommand.class,
            ConfigCommand.class,
            LogoutCommand.class,
            ResetIdCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {"", "Config directory: $PROXYCLAW_HOME or $HOME/.proxyclaw. Exit codes: 0 ok, 1 error, 2 usage error, "
                + "3 not running (status)."})
public final class ProxyClawCli implements Callable<Integer> {

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    @Spec
    CommandSpec spec;

    ProxyClawCli(Map<String, String> env, PrintWriter out, PrintWriter err) {
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
    }

    /** Runs {@code proxyclaw} with the process's environment and exits with its exit code. */
    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "io/iploop/node/cli/proxyclaw-logback.xml");
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = new ProxyClawCli(System.getenv(), out, err).run(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line and returns its exit code. */
    int run(String... args) {
        CommandLine cl = new CommandLine(this)
                .setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    if (e instanceof CliException ce) {
                        err.println("proxyclaw: " + ce.getMessage());
                        return ce.exitCode();
                    }
                    err.println("proxyclaw: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
                    if (env.containsKey("PROXYCLAW_DEBUG")) {
                        e.printStackTrace(err);
                    }
                    return CliException.RUNTIME;
                })
                .setParameterExceptionHandler((e, args1) -> {
                    CommandLine c = e.getCommandLine();
                    err.println("proxyclaw: " + e.getMessage());
                    err.println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
                    return CliException.USAGE;
                });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(err);
        return CliException.USAGE;
    }

    /** Makes a foreground {@code start} return as if the process got SIGTERM (tests, embedding). */
    void requestStop() {
        stopRequested.countDown();
    }

    CountDownLatch stopRequested() {
        return stopRequested;
    }

    Map<String, String> env() {
        return env;
    }

    PrintWriter out() {
        return out;
    }

    PrintWriter err() {
        return err;
    }

    ConfigDir configDir() {
        return ConfigDir.locate(env);
    }

    /** {@code proxyclaw --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"proxyclaw " + NodeAgent.version() + " (Java " + Runtime.version() + ")"};
        }
    }
}
