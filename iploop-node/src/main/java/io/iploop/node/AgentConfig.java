package io.iploop.node;

import io.iploop.tunnel.TunnelSettings;
import java.net.URI;
import java.nio.file.Path;
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
 * @param apiUri the control plane's base URL ({@code https://api.example}); when set, the agent
 *     registers the device there on start ({@code POST /api/earn/devices/register},
 *     docs/product/earn.md#devices); null skips registration
 * @param installMethod {@code docker}, {@code linux}, {@code windows}, {@code macos} or
 *     {@code android}; null detects it ({@link InstallMethod#detect()})
 * @param gatewayCaFile for {@code wss://}: a PEM file of the certificates to trust for the gateway
 *     (its CA, or its own self-signed certificate) instead of the system trust store; null trusts
 *     the system store (docs/node-agent.md#tls)
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
        TunnelSettings tunnel,
        @Nullable URI apiUri,
        @Nullable String installMethod,
        @Nullable Path gatewayCaFile) {

    public AgentConfig {
        blockedDomains = List.copyOf(blockedDomains);
        blockedCidrs = List.copyOf(blockedCidrs);
    }

    /** A configuration that trusts the system trust store for {@code wss://}. */
    public AgentConfig(URI gatewayUri, String nodeKey, String deviceId, @Nullable String deviceName,
            @Nullable String country, @Nullable String region, @Nullable String city, int asn, @Nullable String isp,
            @Nullable String connectionType, boolean localExit, boolean allowLoopbackEgress, List<String> blockedDomains,
            List<String> blockedCidrs, TunnelSettings tunnel, @Nullable URI apiUri, @Nullable String installMethod) {
        this(gatewayUri, nodeKey, deviceId, deviceName, country, region, city, asn, isp, connectionType, localExit,
                allowLoopbackEgress, blockedDomains, blockedCidrs, tunnel, apiUri, installMethod, null);
    }

    /** A configuration that does not register the device with a control plane. */
    public AgentConfig(URI gatewayUri, String nodeKey, String deviceId, @Nullable String deviceName,
            @Nullable String country, @Nullable String region, @Nullable String city, int asn, @Nullable String isp,
            @Nullable String connectionType, boolean localExit, boolean allowLoopbackEgress, List<String> blockedDomains,
            List<String> blockedCidrs, TunnelSettings tunnel) {
        this(gatewayUri, nodeKey, deviceId, deviceName, country, region, city, asn, isp, connectionType, localExit,
                allowLoopbackEgress, blockedDomains, blockedCidrs, tunnel, null, null);
    }

    /** The same configuration, registering the device at {@code api} on start. */
    public AgentConfig withRegistration(URI api, @Nullable String method) {
        return new AgentConfig(gatewayUri, nodeKey, deviceId, deviceName, country, region, city, asn, isp,
                connectionType, localExit, allowLoopbackEgress, blockedDomains, blockedCidrs, tunnel, api, method,
                gatewayCaFile);
    }

    /** The same configuration, trusting only the certificates in {@code caFile} (PEM) for {@code wss://}. */
    public AgentConfig withGatewayCa(@Nullable Path caFile) {
        return new AgentConfig(gatewayUri, nodeKey, deviceId, deviceName, country, region, city, asn, isp,
                connectionType, localExit, allowLoopbackEgress, blockedDomains, blockedCidrs, tunnel, apiUri, installMethod,
                caFile);
    }
}
