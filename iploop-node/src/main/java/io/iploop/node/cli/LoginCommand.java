package io.iploop.node.cli;

import java.io.Console;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code proxyclaw login}: stores the node key (and optionally the gateway) in the config directory. */
@Command(name = "login", description = "Store your node key (from the ProxyClaw dashboard) on this device.")
final class LoginCommand implements Callable<Integer> {

    @ParentCommand
    private ProxyClawCli cli;

    @Option(names = "--key", paramLabel = "ipn_…", description = "the node key; prompted for when omitted and a terminal is attached")
    private @Nullable String key;

    @Option(names = "--gateway", paramLabel = "URI", description = "the gateway's tunnel endpoint, e.g. ws://host:8001/ws")
    private @Nullable String gateway;

    @Override
    public Integer call() {
        ConfigDir dir = cli.configDir();
        String nodeKey = EffectiveConfig.checkKey("--key", key != null ? key : prompt());
        Map<String, String> stored = dir.readConfig();
        if (gateway != null) {
            try {
                stored.put(Setting.GATEWAY.settingName(), Setting.GATEWAY.normalize("--gateway", gateway));
            } catch (IllegalArgumentException e) {
                throw CliException.usage(e.getMessage());
            }
        }
        stored.put(ConfigDir.KEY_PROPERTY, nodeKey);
        dir.writeConfig(stored);
        String deviceId = dir.deviceId();
        String gw = stored.getOrDefault(Setting.GATEWAY.settingName(), EffectiveConfig.DEFAULT_GATEWAY);
        cli.out().println("Logged in with key " + EffectiveConfig.mask(nodeKey) + " (stored in "
                + dir.file(ConfigDir.CONFIG_FILE) + ").");
        cli.out().println("Device id " + deviceId + ", gateway " + gw + ".");
        cli.out().println("Start sharing with: proxyclaw start   (or proxyclaw start -d to run in the background)");
        return 0;
    }

    private String prompt() {
        Console console = System.console();
        if (console == null) {
            throw CliException.usage("--key: missing (no terminal to prompt on; pass --key ipn_…)");
        }
        char[] typed = console.readPassword("Node key (ipn_…, from the ProxyClaw dashboard): ");
        if (typed == null || typed.length == 0) {
            throw CliException.usage("--key: missing (nothing entered)");
        }
        return new String(typed);
    }
}
