package io.iploop.node.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs {@link ProxyClawCli} in-process against a temporary config directory and captures its
 * output.
 *
 * @param exitCode the command's exit code
 * @param out what it printed to standard output
 * @param err what it printed to standard error
 */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(Path home, Map<String, String> extraEnv, String... args) {
        return run(cli(home, extraEnv, new StringWriter(), new StringWriter()), args);
    }

    static CliRun run(Path home, String... args) {
        return run(home, Map.of(), args);
    }

    /** A CLI whose output goes to the given writers, for tests that need the instance. */
    static Captured cli(Path home, Map<String, String> extraEnv, StringWriter out, StringWriter err) {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("PROXYCLAW_HOME", home.toString());
        return new Captured(new ProxyClawCli(env, new PrintWriter(out, true), new PrintWriter(err, true)), out, err);
    }

    static CliRun run(Captured c, String... args) {
        int code = c.cli().run(args);
        return new CliRun(code, c.out().toString(), c.err().toString());
    }

    /** A CLI instance with its captured output. */
    record Captured(ProxyClawCli cli, StringWriter out, StringWriter err) {}
}
