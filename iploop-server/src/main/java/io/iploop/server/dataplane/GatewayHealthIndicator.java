package io.iploop.server.dataplane;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code gateway}: UP while the gateway runs with every listener
 * bound (with the bound ports), DOWN otherwise (with the reason); UP with {@code disabled} when the
 * data plane is switched off by configuration.
 */
@Component("gateway")
class GatewayHealthIndicator extends AbstractHealthIndicator {

    private final DataPlane dataPlane;
    private final io.iploop.server.platform.IploopProperties properties;

    GatewayHealthIndicator(DataPlane dataPlane, io.iploop.server.platform.IploopProperties properties) {
        super("gateway health check failed");
        this.dataPlane = dataPlane;
        this.properties = properties;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (!properties.gatewayEnabled()) {
            builder.up().withDetail("gateway", "disabled");
            return;
        }
        if (dataPlane.gatewayRunning()) {
            builder.up();
            dataPlane.ports().ifPresent(p -> builder.withDetail("httpProxyPort", p.httpProxy())
                    .withDetail("socksPort", p.socks()).withDetail("nodeHubPort", p.nodeHub()));
        } else {
            String reason = dataPlane.unavailableReason();
            builder.down().withDetail("reason", reason == null ? "not running" : reason);
        }
    }
}
