package io.iploop.node.cli;

import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code proxyclaw config set|get|unset|list}: the stored settings (see {@link Setting}). */
@Command(
        name = "config",
        description = "Show or change settings (device name, self-reported location, gateway, …).",
        subcommands = {ConfigCommand.Set.class, ConfigCommand.Get.class, ConfigCommand.Unset.class, ConfigCommand.ListAll.class})
final class ConfigCommand implements Callable<Integer> {

    @ParentCommand
    private ProxyClawCli cli;

    @Override
    public Integer call() {
        return new ListAll().list(cli);
    }

    static Setting setting(String name) {
        return Setting.byName(name).orElseThrow(() -> CliException.usage(
                "unknown setting '" + name + "' (expected one of: " + Setting.names() + ")"));
    }

    @Command(name = "set", description = "Set a setting: proxyclaw config set device-name my-server")
    static final class Set implements Callable<Integer> {
        @ParentCommand
        private ConfigCommand parent;

        @Parameters(index = "0", paramLabel = "NAME", description = "one of: ${COMPLETION-CANDIDATES}", completionCandidates = Names.class)
        private String name;

        @Parameters(index = "1", paramLabel = "VALUE")
        private String value;

        @Override
        public Integer call() {
            Setting s = setting(name);
            String normalized;
            try {
                normalized = s.normalize(s.settingName(), value);
            } catch (IllegalArgumentException e) {
                throw CliException.usage(e.getMessage());
            }
            ConfigDir dir = parent.cli.configDir();
            Map<String, String> stored = dir.readConfig();
            stored.put(s.settingName(), normalized);
            dir.writeConfig(stored);
            parent.cli.out().println(s.settingName() + " = " + normalized);
            if (s == Setting.BANDWIDTH_LIMIT_MBPS) {
                parent.cli.out().println("Note: the agent caps its traffic at this rate in each direction from its next start.");
            }
            if (parent.cli.env().get(s.envVar()) != null) {
                parent.cli.out().println("Note: " + s.envVar() + " is set and overrides this value.");
            }
            if (dir.runningAgent().isPresent()) {
                parent.cli.out().println("Restart the agent to apply it: proxyclaw stop && proxyclaw start -d");
            }
            return 0;
        }
    }

    @Command(name = "get", description = "Print one setting's effective value (empty if unset).")
    static final class Get implements Callable<Integer> {
        @ParentCommand
        private ConfigCommand parent;

        @Parameters(index = "0", paramLabel = "NAME", completionCandidates = Names.class)
        private String name;

        @Override
        public Integer call() {
            EffectiveConfig config = new EffectiveConfig(parent.cli.configDir(), parent.cli.env());
            Setting s = setting(name);
            String v = s == Setting.GATEWAY ? config.gateway() : config.get(s);
            parent.cli.out().println(v == null ? "" : v);
            return 0;
        }
    }

    @Command(name = "unset", description = "Remove a setting (the default applies again).")
    static final class Unset implements Callable<Integer> {
        @ParentCommand
        private ConfigCommand parent;

        @Parameters(index = "0", paramLabel = "NAME", completionCandidates = Names.class)
        private String name;

        @Override
        public Integer call() {
            Setting s = setting(name);
            ConfigDir dir = parent.cli.configDir();
            Map<String, String> stored = dir.readConfig();
            if (stored.remove(s.settingName()) != null) {
                dir.writeConfig(stored);
            }
            parent.cli.out().println(s.settingName() + " unset");
            return 0;
        }
    }

    @Command(name = "list", description = "Print every setting with its effective value and where it comes from.")
    static final class ListAll implements Callable<Integer> {
        @ParentCommand
        private ConfigCommand parent;

        @Override
        public Integer call() {
            return list(parent.cli);
        }

        int list(ProxyClawCli cli) {
            ConfigDir dir = cli.configDir();
            EffectiveConfig config = new EffectiveConfig(dir, cli.env());
            cli.out().println("config directory: " + dir);
            String key = config.key();
            row(cli, "key", key == null ? "(not logged in)" : EffectiveConfig.mask(key), key == null ? "" : config.keySource());
            for (Setting s : Setting.values()) {
                String v = config.get(s);
                if (s == Setting.GATEWAY && v == null) {
                    row(cli, s.settingName(), config.gateway(), "default");
                } else {
                    String source = config.source(s);
                    row(cli, s.settingName(), v == null ? "-" : v, source == null ? "" : source);
                }
            }
            if (config.allowLoopback()) {
                row(cli, "allow-loopback", "true", "env " + EffectiveConfig.ENV_ALLOW_LOOPBACK + " (test switch, never in production)");
            }
            return 0;
        }

        private static void row(ProxyClawCli cli, String name, String value, String source) {
            cli.out().printf("%-22s %s%s%n", name, value, source.isEmpty() ? "" : "   (" + source + ")");
        }
    }

    /** Completion candidates and help text for setting names. */
    static final class Names extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Names() {
            for (Setting s : Setting.values()) {
                add(s.settingName());
            }
        }
    }
}
