package io.iploop.tunnel;

import org.jspecify.annotations.Nullable;

/**
 * The HELLO frame a node agent sends first (docs/protocol.md §4.1). Every string is at most
 * {@link #MAX_FIELD_BYTES} bytes of UTF-8; the gateway treats all of it as untrusted.
 *
 * @param protocolVersion the tunnel protocol version the agent speaks ({@link TunnelProtocol#VERSION})
 * @param nodeKey the node key the operator logged in with ({@code ipn_} + 48 hex)
 * @param deviceId persistent device id, 1-128 chars of {@code [A-Za-z0-9._:-]}
 * @param asn self-reported ASN, 0 if unknown
 * @param connectionType {@code wifi}, {@code cellular}, {@code ethernet} or null
 * @param localExit true only for the agent that {@code iploop server --local-node} starts
 * @param allowedPorts the destination ports the agent opens streams to; {@link PortPolicy#ALL}
 *     when the agent sent no policy (an older agent)
 */
public record Hello(
        int protocolVersion,
        String nodeKey,
        String deviceId,
        @Nullable String deviceName,
        @Nullable String platform,
        @Nullable String agentVersion,
        @Nullable String country,
        @Nullable String region,
        @Nullable String city,
        int asn,
        @Nullable String isp,
        @Nullable String connectionType,
        boolean localExit,
        PortPolicy allowedPorts) {

    /** A HELLO that allows every port (as from an agent older than the port policy). */
    public Hello(int protocolVersion, String nodeKey, String deviceId, @Nullable String deviceName,
            @Nullable String platform, @Nullable String agentVersion, @Nullable String country, @Nullable String region,
            @Nullable String city, int asn, @Nullable String isp, @Nullable String connectionType, boolean localExit) {
        this(protocolVersion, nodeKey, deviceId, deviceName, platform, agentVersion, country, region, city, asn, isp,
                connectionType, localExit, PortPolicy.ALL);
    }

    /** The same HELLO announcing {@code ports}. */
    public Hello withAllowedPorts(PortPolicy ports) {
        return new Hello(protocolVersion, nodeKey, deviceId, deviceName, platform, agentVersion, country, region, city,
                asn, isp, connectionType, localExit, ports);
    }

    /** Longest string field, in UTF-8 bytes. */
    public static final int MAX_FIELD_BYTES = 255;
}
