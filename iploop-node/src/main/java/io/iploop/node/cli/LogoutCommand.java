package io.iploop.node.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code proxyclaw logout}: removes the stored node key; settings and the device id stay. */
@Command(name = "logout", description = "Remove the stored node key from this device.")
final class LogoutCommand implements Callable<Integer> {

    @ParentCommand
    private ProxyClawCli cli;

    @Override
    public Integer call() {
        ConfigDir dir = cli.configDir();
        Map<String, String> stored = dir.readConfig();
        if (stored.remove(ConfigDir.KEY_PROPERTY) == null) {
            cli.out().println("Not logged in; nothing to remove.");
            return 0;
        }
        dir.writeConfig(stored);
        cli.out().println("Logged out: the node key was removed from " + dir.file(ConfigDir.CONFIG_FILE) + ".");
        if (dir.runningAgent().isPresent()) {
            cli.out().println("The running agent keeps its current session; stop it with: proxyclaw stop");
        }
        return 0;
    }
}
