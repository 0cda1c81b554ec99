package io.iploop.node;

import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a node agent needs to run. Immutable. Self-reported geo is sent in HELLO; a gateway with a
 * GeoIP database overrides it.
 *
 * @param gatewayUri {@code ws://host:8001/ws} or {@code wss://…}
 * @param nodeKey the operator's node key ({@code ipn_} + 48 hex)
 * @param deviceId persistent device id, 1-128 chars of {@code [A-Za-z0-9._:-]}
 * @param asn self-reported ASN, 0 if unknown
 * @param connectionType {@code wifi}, {@code cellular}, {@code ethernet} or null
 * @param localExit true only for the agent {@code iploop server --local-node} starts
 * @param allowLoopbackEgress test/local switch: let streams reach loopback targets
 */
public record AgentConfig(
        URI gatewayUri,
        String nodeKey,
        String deviceId,
        @Nullable String deviceName,
        @Nullable String country,
        @Nullable String region,
        @Nullable String city,
        int asn,
        @Nullable String isp,
        @Nullable String connectionType,
        boolean localExit,
        boolean allowLoopbackEgress,
        List<String> blockedDomains,
        List<String> blockedCidrs,
        TunnelSettings tunnel) {

    public AgentConfig {
        blockedDomains = List.copyOf(blockedDomains);
        blockedCidrs = List.copyOf(blockedCidrs);
    }
}
