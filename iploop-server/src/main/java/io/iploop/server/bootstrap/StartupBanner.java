package io.iploop.server.bootstrap;

import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.platform.IploopProperties;
import io.iploop.server.platform.PlatformSecrets;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Prints the startup banner to standard output once the application is ready: URLs and proxy
 * endpoints always; on first start also the admin's one-time password, the demo customer's plan and
 * a ready-to-paste {@code curl} line with its API key, and the {@code ./iploop admin} commands. The
 * first-start part is also written to {@value #FIRST_START_FILE} in the data directory (mode 600),
 * so the secrets survive a scrolled-away terminal; they are never logged.
 */
@Component
class StartupBanner {

    /** File in the data directory that keeps the first-start part of the banner. */
    static final String FIRST_START_FILE = "first-start.txt";
    private static final Logger log = LoggerFactory.getLogger(StartupBanner.class);

    private final FirstStart firstStart;
    private final DataPlane dataPlane;
    private final IploopProperties properties;

    StartupBanner(FirstStart firstStart, DataPlane dataPlane, IploopProperties properties) {
        this.firstStart = firstStart;
        this.dataPlane = dataPlane;
        this.properties = properties;
    }

    @EventListener
    void ready(ApplicationReadyEvent event) {
        String httpPort = event.getApplicationContext().getEnvironment().getProperty("local.server.port",
                event.getApplicationContext().getEnvironment().getProperty("server.port", "8080"));
        boolean gatewayRole = event.getApplicationContext().getEnvironment().matchesProfiles("gateway");
        print(System.out, httpPort, firstStart.takeCredentials(), gatewayRole);
    }

    void print(PrintStream out, String httpPort, Optional<FirstStart.Credentials> credentials) {
        print(out, httpPort, credentials, false);
    }

    /**
     * @param gatewayRole {@code --role=gateway} (docs/deploy.md#cluster): its HTTP port serves health
     *     and metrics only, so the dashboard and API lines are left out
     */
    void print(PrintStream out, String httpPort, Optional<FirstStart.Credentials> credentials, boolean gatewayRole) {
        String host = properties.publicHost();
        DataPlane.Ports ports = dataPlane.ports().orElse(
                new DataPlane.Ports(properties.proxyPort(), properties.socksPort(), properties.nodeHubPort()));
        String line = "=".repeat(78);
        StringBuilder b = new StringBuilder("\n").append(line).append('\n');
        b.append(gatewayRole ? "  IPLoop gateway is running (--role=gateway)\n\n" : "  IPLoop is running\n\n");
        if (!gatewayRole) {
            b.append("  Dashboard / API docs : http://").append(host).append(':').append(httpPort).append("/\n");
            b.append("  OpenAPI              : http://").append(host).append(':').append(httpPort).append("/api/openapi.json\n");
        }
        b.append("  Health               : http://").append(host).append(':').append(httpPort).append("/actuator/health\n");
        if (dataPlane.gatewayRunning()) {
            b.append("  HTTP proxy           : ").append(host).append(':').append(ports.httpProxy()).append('\n');
            b.append("  SOCKS5 proxy         : ").append(host).append(':').append(ports.socks()).append('\n');
            b.append("  Node hub             : ws://").append(host).append(':').append(ports.nodeHub()).append("/ws\n");
            dataPlane.tlsPorts().ifPresent(t -> appendTls(b, host, t));
        } else {
            b.append("  Gateway              : NOT RUNNING (").append(dataPlane.unavailableReason()).append(")\n");
        }
        if (properties.localNode()) {
            b.append("  Local node           : started (local exit").append(
                    properties.localNodeCountry() == null ? "" : ", country " + properties.localNodeCountry()).append(")\n");
        }
        credentials.ifPresent(c -> {
            Path file = properties.dataPath().resolve(FIRST_START_FILE);
            String text = firstStartText(c, host, ports);
            b.append('\n').append(text);
            b.append(write(file, text)
                    ? "\n  These lines are also in " + file + " (readable by you only);\n"
                            + "  delete it once you have changed the admin password.\n"
                    : "\n  (could not write them to " + file + "; copy them now)\n");
        });
        b.append(line).append('\n');
        out.print(b);
        out.flush();
    }

    /** The TLS entry points (docs/tls.md) and the certificate clients must trust when it is self-signed. */
    private static void appendTls(StringBuilder b, String host, DataPlane.TlsPorts t) {
        if (t.httpsProxy() >= 0) {
            b.append("  HTTPS proxy (TLS)    : https://").append(host).append(':').append(t.httpsProxy()).append('\n');
        }
        if (t.socks() >= 0) {
            b.append("  SOCKS5 over TLS      : ").append(host).append(':').append(t.socks()).append('\n');
        }
        if (t.nodeHub() >= 0) {
            b.append("  Node hub (TLS)       : wss://").append(host).append(':').append(t.nodeHub()).append("/ws\n");
        }
        b.append("  TLS certificate      : ").append(t.certFile())
                .append(t.selfSigned() ? "   (self-signed: --proxy-cacert / gateway-ca)\n" : "\n");
    }

    /** The first-start part: secrets, the demo customer and its curl line, the admin commands. */
    private String firstStartText(FirstStart.Credentials c, String host, DataPlane.Ports ports) {
        StringBuilder b = new StringBuilder();
        b.append("  FIRST START - these secrets are shown only once:\n\n");
        b.append("  Admin login          : ").append(c.adminEmail()).append('\n');
        b.append("  One-time password    : ").append(c.adminPassword()).append("   (change it, then set up 2FA)\n");
        FirstStart.Demo demo = c.demo();
        if (demo == null) {
            b.append("\n  No demo customer (an external database is configured; IPLOOP_DEMO_CUSTOMER=true creates one).\n");
        } else {
            b.append("  Demo customer        : ").append(demo.email()).append(" / ").append(demo.password()).append('\n');
            b.append("  Demo customer id     : ").append(demo.customerId()).append('\n');
            b.append("  Demo API key         : ").append(demo.apiKey()).append('\n');
            b.append("  Demo plan            : ").append(demo.planId())
                    .append(" (no request rate, connection or GB limits, for trying it out)\n\n");
            b.append("  Try the proxy:\n\n    curl -x http://").append(demo.customerId()).append(':').append(demo.apiKey())
                    .append('@').append(host).append(':').append(ports.httpProxy()).append(" https://example.com\n\n");
            dataPlane.tlsPorts().filter(t -> t.httpsProxy() >= 0).ifPresent(t -> b.append("  Or over TLS to the proxy:\n\n")
                    .append("    curl --proxy https://").append(host).append(':').append(t.httpsProxy())
                    .append(t.selfSigned() ? " --proxy-cacert " + t.certFile() : "").append(" \\\n         --proxy-user ")
                    .append(demo.customerId()).append(':').append(demo.apiKey()).append(" https://example.com\n\n"));
            b.append("  (append -country-XX to the key to target a country, e.g. ").append(demo.apiKey())
                    .append("-country-us;\n   without --local-node or a connected node agent there is no exit yet)\n");
            b.append("  The demo customer is suspended when the first customer signs up (or at a start with\n")
                    .append("  IPLOOP_DEMO_CUSTOMER=false); an admin can activate it again on the users page.\n");
        }
        b.append("\n  Change a customer's plan or balance from this machine's shell (no login needed):\n\n");
        b.append("    ./iploop admin user EMAIL\n");
        b.append("    ./iploop admin plan EMAIL PLAN [--gb N]        e.g. ./iploop admin plan ")
                .append(demo == null ? "EMAIL" : demo.email()).append(" trial\n");
        b.append("    ./iploop admin balance EMAIL --add-gb N --reason TEXT\n");
        return b.toString();
    }

    /** Writes {@code text} to a new owner-only {@code file}, replacing one of an earlier first start. */
    private static boolean write(Path file, String text) {
        try {
            Files.deleteIfExists(file);
            PlatformSecrets.writePrivateFile(file, text);
            return true;
        } catch (IOException e) {
            log.warn("could not write the first-start file {}: {}", file, e.toString());
            return false;
        }
    }
}
