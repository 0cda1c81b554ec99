package io.iploop.gateway.spi;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one node connected to this gateway. Immutable.
 *
 * @param localExit true for the agent started by {@code --local-node} (the "local exit")
 * @param activeStreams customer streams open through the node now
 * @param bytesCarried bytes carried since connecting, both directions
 */
public record ConnectedNode(
        UUID nodeId,
        String deviceId,
        UUID ownerUserId,
        @Nullable String country,
        @Nullable String region,
        @Nullable String city,
        int asn,
        @Nullable String isp,
        @Nullable String connectionType,
        @Nullable String platform,
        @Nullable String deviceName,
        @Nullable String agentVersion,
        String remoteAddress,
        boolean localExit,
        Instant connectedSince,
        int activeStreams,
        long bytesCarried) {}
