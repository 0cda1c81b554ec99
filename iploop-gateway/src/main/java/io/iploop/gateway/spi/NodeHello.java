package io.iploop.gateway.spi;

import org.jspecify.annotations.Nullable;

/**
 * A node agent's registration as received in HELLO (docs/protocol.md §4.1) and the address it
 * connected from. Self-reported fields are untrusted input.
 *
 * @param nodeKeySha256Hex lowercase hex SHA-256 of the node key the operator logged in with
 * @param deviceId the agent's persistent device id (1-128 chars of [A-Za-z0-9._:-])
 * @param remoteAddress the agent's IP as seen by the gateway
 * @param asn self-reported ASN, 0 if unknown
 * @param connectionType {@code wifi}, {@code cellular}, {@code ethernet} or null
 * @param localExit true for the agent started by {@code --local-node} next to the server
 */
public record NodeHello(
        String nodeKeySha256Hex,
        String deviceId,
        String remoteAddress,
        @Nullable String deviceName,
        @Nullable String platform,
        @Nullable String agentVersion,
        @Nullable String country,
        @Nullable String region,
        @Nullable String city,
        int asn,
        @Nullable String isp,
        @Nullable String connectionType,
        boolean localExit) {}
