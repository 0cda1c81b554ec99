package io.iploop.node.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code proxyclaw start -d}: re-executes the same Java with the same class path as
 * {@code proxyclaw start} in a new session (via {@code setsid} when present, so closing the
 * terminal does not stop it), output appended to {@code agent.log}, and records its pid.
 */
final class Daemon {

    /** How long to wait for the background agent to come up before reporting success, in ms. */
    private static final long STARTUP_CHECK_MILLIS = 5_000;

    private Daemon() {}

    static int spawn(ProxyClawCli cli, ConfigDir dir) throws InterruptedException {
        Path log = dir.privateLogFile();
        List<String> command = new ArrayList<>();
        for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(setsid))) {
                command.add(setsid);
                break;
            }
        }
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ProxyClawCli.class.getName());
        command.add("start");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> childEnv = pb.environment();
        // The settings this process sees (possibly not its real environment, e.g. in tests).
        cli.env().forEach((k, v) -> {
            if (k.startsWith("PROXYCLAW_")) {
                childEnv.put(k, v);
            }
        });
        childEnv.put("PROXYCLAW_HOME", dir.dir().toString());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw CliException.runtime("cannot start the background agent: " + e.getMessage());
        }
        dir.writePid(process.pid());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STARTUP_CHECK_MILLIS);
        while (System.nanoTime() < deadline) {
            if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                dir.delete(ConfigDir.PID_FILE);
                throw CliException.runtime("the background agent exited at once (exit " + process.exitValue()
                        + "):\n" + tail(log, 10));
            }
            if (StatusFile.read(dir).isPresent()) {
                break;
            }
        }
        cli.out().println("proxyclaw started in the background (pid " + process.pid() + ").");
        cli.out().println("Log: " + log + "   Status: proxyclaw status   Stop: proxyclaw stop");
        return 0;
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(see " + log + ")";
        }
    }
}
