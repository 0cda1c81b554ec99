package io.iploop.server.usage;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Traffic to one target host carried by one exit node for one customer within a time window, from
 * the usage records (docs/moderation.md#abuse-reports): what an admin needs to find who sent it and
 * which exit carried it. Immutable.
 *
 * @param nodeId the exit node, or null for the direct or upstream exit
 * @param userId the customer
 * @param requests usage records (requests and interim records) in the window
 * @param bytes bytes carried, both directions
 * @param firstSeen start of the earliest record, lastSeen start of the latest
 */
public record TargetTraffic(@Nullable UUID nodeId, UUID userId, long requests, long bytes, Instant firstSeen,
        Instant lastSeen) {}
