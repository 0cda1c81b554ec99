package io.iploop.server;

import io.iploop.server.admin.LocalAdminCli;
import io.iploop.server.pool.PoolCli;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.SpringApplication;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code iploop} command line: {@code iploop server [--local-node] [--data-dir DIR]} starts the
 * whole platform (control plane, gateway, node hub) in this process; {@code iploop admin ...}
 * ({@link LocalAdminCli}) changes a customer's plan or balance on the running server without
 * starting Spring; {@code iploop pool import FILE} ({@link PoolCli}) sends an upstream file to the
 * running server's admin API. Configuration comes from
 * {@code IPLOOP_*} environment variables (see {@link io.iploop.server.platform.IploopProperties});
 * command line options override them.
 */
@Command(name = "iploop", mixinStandardHelpOptions = true, version = "iploop 0.1.0",
        description = "IPLoop residential proxy platform.",
        subcommands = {IploopMain.ServerCommand.class, LocalAdminCli.class, PoolCli.class})
public final class IploopMain implements Callable<Integer> {

    public static void main(String[] args) {
        allowBasicProxyAuthOnTunnels();
        skipUnusedStartupWork();
        int rc = new CommandLine(new IploopMain()).execute(args);
        if (rc != 0) {
            System.exit(rc);
        }
        // rc 0: either help was printed (no non-daemon threads left, the JVM exits) or the server
        // is running on its own non-daemon threads until shutdown.
    }

    /**
     * The campaign engine reaches {@code https://} sites through a {@code CONNECT} tunnel of the
     * platform's own gateway with Basic proxy credentials (docs/campaigns.md#engine); the JDK's
     * HttpClient refuses Basic on tunnels while {@code jdk.http.auth.tunneling.disabledSchemes} is
     * its default {@code Basic}, and reads the property once, before the first client is built. An
     * operator's explicit {@code -D} setting is kept.
     */
    static void allowBasicProxyAuthOnTunnels() {
        if (System.getProperty("jdk.http.auth.tunneling.disabledSchemes") == null) {
            System.setProperty("jdk.http.auth.tunneling.disabledSchemes", "");
        }
    }

    /**
     * Leaves out two pieces of start-up work that only add classes and heap to an idle server (README,
     * "Start-up time and memory"); an operator's explicit {@code -D} setting of either is kept.
     * <ul>
     * <li>Spring Boot's background pre-initialisation builds, on another thread while the context
     * starts, objects the server then builds again or never uses (a Jackson 2 object mapper, a
     * Hibernate Validator bootstrap of its own: about 250 classes more at idle); what the server
     * needs is initialised when first used.</li>
     * <li>Netty's JFR events ({@code io.netty.jfr.enabled}, on by default where JFR is available)
     * load the JDK's JFR metadata (about 170 classes) at the first event loop although no recording
     * runs; {@code -Dio.netty.jfr.enabled=true} brings them back for a profiling session.</li>
     * </ul>
     */
    static void skipUnusedStartupWork() {
        if (System.getProperty("spring.backgroundpreinitializer.ignore") == null) {
            System.setProperty("spring.backgroundpreinitializer.ignore", "true");
        }
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    /**
     * {@code iploop server}: runs the Spring Boot application until the process is stopped, as the
     * whole platform or as one {@link ServerRole} of a cluster (docs/deploy.md#cluster).
     */
    @Command(name = "server", mixinStandardHelpOptions = true,
            description = {"Start the platform: control plane, gateway and node hub in one process",
                    "(--role=all, the default), or one role of a cluster (docs/deploy.md#cluster):",
                    "  --role=control-plane  REST API, dashboard, jobs; no proxy listeners",
                    "  --role=gateway        proxy listeners and node hub; HTTP: health, metrics",
                    "Cluster roles need IPLOOP_DB_URL (the shared PostgreSQL) and",
                    "IPLOOP_REDIS_URL (the shared Redis); run any number of each."})
    static final class ServerCommand implements Callable<Integer> {

        @Option(names = "--role", paramLabel = "ROLE", defaultValue = "all",
                description = "all (default), control-plane or gateway.")
        String role = "all";

        @Option(names = "--local-node",
                description = "Also start a node agent in this process (the local exit), connected to the node hub.")
        boolean localNode;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Data directory (secrets, embedded PostgreSQL); overrides IPLOOP_DATA_DIR (default ./data).")
        @Nullable Path dataDir;

        @Override
        public Integer call() {
            ServerRole r = ServerRole.parse(role).orElse(null);
            if (r == null) {
                System.err.println("iploop server: --role=" + role + " is not a role (expected: all, control-plane, gateway)");
                return 2;
            }
            String missing = r.missingSharedState(System::getenv, System::getProperty);
            if (missing != null) {
                System.err.println("iploop server: " + missing);
                return 2;
            }
            if (r.profile() != null) {
                System.setProperty("spring.profiles.active", r.profile());
            }
            if (localNode) {
                System.setProperty("iploop.local-node", "true");
            }
            if (dataDir != null) {
                System.setProperty("iploop.data-dir", dataDir.toAbsolutePath().toString());
            }
            SpringApplication.run(IploopApplication.class);
            return 0;
        }
    }
}
