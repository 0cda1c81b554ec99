package io.iploop.gateway.spi;

import java.util.UUID;

/**
 * An authenticated proxy customer. Immutable.
 *
 * @param userId the account's internal id (users.id)
 * @param customerId the public customer id used as proxy username
 * @param apiKeyId the key's id (api_keys.id)
 * @param maxStickyLifetimeSeconds the longest sticky-session lifetime the plan allows, in seconds
 *     (DESIGN §3: {@code lifetime} is capped by plan)
 */
public record CustomerPrincipal(UUID userId, String customerId, UUID apiKeyId, long maxStickyLifetimeSeconds) {}
