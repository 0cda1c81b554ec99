package io.iploop.server.pool;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An account's pool subscription (docs/upstream-pool.md#access). Immutable.
 *
 * @param userId the account
 * @param planId the pool plan
 * @param ports {@code all}, or ports and ranges such as {@code 4000-4099,4200}
 * @param periodStart start of the first monthly quota period
 * @param expiresAt end of access, or null for none
 * @param bannedAt when an admin banned the account from the pool, or null
 * @param banReason the admin's reason, or null
 */
public record PoolSubscription(UUID userId, String planId, String ports, Instant periodStart,
        @Nullable Instant expiresAt, @Nullable Instant bannedAt, @Nullable String banReason) {}
