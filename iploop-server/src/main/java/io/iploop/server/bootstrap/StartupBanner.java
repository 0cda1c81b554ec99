package io.iploop.server.bootstrap;

import io.iploop.server.dataplane.DataPlane;
import io.iploop.server.platform.IploopProperties;
import java.io.PrintStream;
import java.util.Optional;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Prints the startup banner to standard output once the application is ready: URLs and proxy
 * endpoints always; on first start also the admin's one-time password and a ready-to-paste
 * {@code curl} line with the demo customer's API key (shown once, never logged).
 */
@Component
class StartupBanner {

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
        print(System.out, httpPort, firstStart.takeCredentials());
    }

    void print(PrintStream out, String httpPort, Optional<FirstStart.Credentials> credentials) {
        String host = properties.publicHost();
        DataPlane.Ports ports = dataPlane.ports().orElse(
                new DataPlane.Ports(properties.proxyPort(), properties.socksPort(), properties.nodeHubPort()));
        String line = "=".repeat(78);
        StringBuilder b = new StringBuilder("\n").append(line).append('\n');
        b.append("  IPLoop is running\n\n");
        b.append("  Dashboard / API docs : http://").append(host).append(':').append(httpPort).append("/\n");
        b.append("  OpenAPI              : http://").append(host).append(':').append(httpPort).append("/api/openapi.json\n");
        b.append("  Health               : http://").append(host).append(':').append(httpPort).append("/actuator/health\n");
        if (dataPlane.gatewayRunning()) {
            b.append("  HTTP proxy           : ").append(host).append(':').append(ports.httpProxy()).append('\n');
            b.append("  SOCKS5 proxy         : ").append(host).append(':').append(ports.socks()).append('\n');
            b.append("  Node hub             : ws://").append(host).append(':').append(ports.nodeHub()).append("/ws\n");
        } else {
            b.append("  Gateway              : NOT RUNNING (").append(dataPlane.unavailableReason()).append(")\n");
        }
        if (properties.localNode()) {
            b.append("  Local node           : started (local exit").append(
                    properties.localNodeCountry() == null ? "" : ", country " + properties.localNodeCountry()).append(")\n");
        }
        credentials.ifPresent(c -> {
            b.append("\n  FIRST START - these secrets are shown only once:\n\n");
            b.append("  Admin login          : ").append(c.adminEmail()).append('\n');
            b.append("  One-time password    : ").append(c.adminPassword()).append("   (change it, then set up 2FA)\n");
            b.append("  Demo customer        : ").append(c.demoEmail()).append(" / ").append(c.demoPassword()).append('\n');
            b.append("  Demo customer id     : ").append(c.demoCustomerId()).append('\n');
            b.append("  Demo API key         : ").append(c.demoApiKey()).append("\n\n");
            b.append("  Try the proxy:\n\n    curl -x http://").append(c.demoCustomerId()).append(':').append(c.demoApiKey())
                    .append('@').append(host).append(':').append(ports.httpProxy()).append(" https://example.com\n\n");
            b.append("  (append -country-XX to the key to target a country, e.g. ").append(c.demoApiKey())
                    .append("-country-us;\n   without --local-node or a connected node agent there is no exit yet)\n");
        });
        b.append(line).append('\n');
        out.print(b);
        out.flush();
    }
}
