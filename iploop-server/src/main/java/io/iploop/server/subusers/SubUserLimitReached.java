package io.iploop.server.subusers;

import java.util.UUID;

/**
 * A sub-user's traffic in its limit period reached its limit (docs/sub-users.md#limits): the
 * gateway now answers its requests 402 {@code sub_user_limit_reached}. Published once per time the
 * limit is reached (again after the limit is raised or a new month starts), by the limit job,
 * off the metering path. Immutable.
 *
 * @param userId the parent account
 * @param limitBytes the limit reached
 * @param usedBytes bytes used in the period when noticed
 * @param period {@code month} or {@code total}
 */
public record SubUserLimitReached(UUID userId, UUID subUserId, String name, long limitBytes, long usedBytes,
        String period) {}
