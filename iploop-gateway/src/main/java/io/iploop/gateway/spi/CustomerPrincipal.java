package io.iploop.gateway.spi;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An authenticated proxy customer: who, never what the plan allows (that is {@link AccountLimits}).
 * Immutable.
 *
 * @param userId the account's internal id (users.id)
 * @param customerId the public customer id used as proxy username
 * @param apiKeyId the key's id (api_keys.id); null for a request served by IP-authorised access
 *     without credentials (docs/ip-authorised-access.md)
 */
public record CustomerPrincipal(UUID userId, String customerId, @Nullable UUID apiKeyId) {}
