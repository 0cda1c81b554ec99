package io.iploop.gateway.spi;

import org.jspecify.annotations.Nullable;

/**
 * How a gateway joins the cluster's node directory and relay (docs/deploy.md#cross-gateway-relay).
 * Immutable.
 *
 * @param directory where the gateways publish their nodes (Redis)
 * @param secret the cluster secret every gateway shares; authenticates both ends of a relay link;
 *     at least 16 bytes
 * @param bindAddress address the relay listener binds, e.g. {@code 0.0.0.0}
 * @param port the relay listener's TCP port, 0 for an ephemeral one
 * @param advertisedHost the host other gateways reach this one's relay listener at; null: the bind
 *     address, or this machine's address when that is a wildcard
 */
public record ClusterSettings(ClusterNodeDirectory directory, byte[] secret, String bindAddress, int port,
        @Nullable String advertisedHost) {

    public ClusterSettings {
        if (secret.length < 16) {
            throw new IllegalArgumentException("cluster secret: " + secret.length + " bytes (expected: at least 16)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("relay port: " + port + " (expected: 0-65535)");
        }
        secret = secret.clone();
    }
}
