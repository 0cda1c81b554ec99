package io.iploop.node.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code proxyclaw reset-id}: gives this device a new random device id, for a copy of another
 * device's disk or volume that the gateway refuses as "device id already connected". The login
 * and settings stay. Refuses while the agent runs (it would keep the old id until restarted).
 */
@Command(name = "reset-id", description = "Give this device a new device id (for a copied disk or volume); the login stays.")
final class ResetIdCommand implements Callable<Integer> {

    @ParentCommand
    private ProxyClawCli cli;

    @Override
    public Integer call() {
        ConfigDir dir = cli.configDir();
        if (dir.runningAgent().isPresent()) {
            throw CliException.runtime("the agent is running; stop it first: proxyclaw stop");
        }
        String envId = cli.env().get(EffectiveConfig.ENV_DEVICE_ID);
        if (envId != null && !envId.isBlank()) {
            throw CliException.runtime(EffectiveConfig.ENV_DEVICE_ID + " is set (" + envId
                    + ") and wins over the stored id: give this copy its own value there instead");
        }
        String newId = dir.resetDeviceId();
        cli.out().println("New device id: " + newId + " (stored in " + dir.file(ConfigDir.DEVICE_ID_FILE) + ").");
        cli.out().println("The login and settings are kept. Start the agent again: proxyclaw start");
        return 0;
    }
}
