package io.iploop.gateway.spi;

import java.util.UUID;

/**
 * An authenticated proxy customer: who, never what the plan allows (that is {@link AccountLimits}).
 * Immutable.
 *
 * @param userId the account's internal id (users.id)
 * @param customerId the public customer id used as proxy username
 * @param apiKeyId the key's id (api_keys.id)
 */
public record CustomerPrincipal(UUID userId, String customerId, UUID apiKeyId) {}
