package io.iploop.server.nodes;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A node as shown on the nodes page (docs/product/nodes.md#node-list-and-filters): the registry row merged with the live
 * gateway view. Immutable.
 *
 * @param status {@code available} (connected and serving), {@code inactive} (not connected),
 *     {@code paused} (its owner paused it on the dashboard; connected or not, it serves no one),
 *     {@code removed} (its owner removed it) or {@code banned}; the dashboard's state wins over the
 *     connection, whose truth is {@code online}
 * @param online connected to the gateway now
 * @param localExit the node started by {@code iploop server --local-node}
 * @param bandwidthBytes bytes carried, both directions, since registration (stored counters plus the
 *     live session's bytes not yet flushed are not included)
 * @param activeStreams customer streams open through the node now, 0 when offline
 * @param lastIdClashAt when the gateway last refused a second agent presenting this device id (a
 *     copied disk or volume; the connected one kept serving), or null if never
 * @param moderation an admin's moderation in force on the node (docs/moderation.md): {@code ban}
 *     (disconnected and refused) or {@code quarantine} (connected, never selected), or null
 * @param moderationReason the admin's reason for {@code moderation}, shown to the owner, or null
 * @param moderationExpiresAt when {@code moderation} ends by itself, or null (none, or until lifted)
 * @param successShare the gateway's success share average 0-1 behind {@code qualityScore}
 *     (docs/exit-quality.md#measurements), null until measured
 * @param ttfbMillis its time-to-first-byte average in ms, null until measured
 * @param throughputMbps its throughput average in Mbit/s, null until measured
 */
public record NodeView(
        UUID id,
        String deviceId,
        @Nullable String deviceName,
        @Nullable String platform,
        @Nullable String sdkVersion,
        @Nullable String ipAddress,
        @Nullable String country,
        @Nullable String countryName,
        @Nullable String city,
        @Nullable String region,
        int asn,
        @Nullable String isp,
        @Nullable String connectionType,
        String status,
        boolean online,
        boolean localExit,
        int qualityScore,
        long bandwidthBytes,
        long totalRequests,
        long successfulRequests,
        int activeStreams,
        @Nullable Instant lastHeartbeat,
        @Nullable Instant connectedSince,
        Instant createdAt,
        @Nullable Instant lastIdClashAt,
        @Nullable String moderation,
        @Nullable String moderationReason,
        @Nullable Instant moderationExpiresAt,
        @Nullable Double successShare,
        @Nullable Double ttfbMillis,
        @Nullable Double throughputMbps) {}
