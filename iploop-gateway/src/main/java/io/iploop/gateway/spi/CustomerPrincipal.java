package io.iploop.gateway.spi;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An authenticated proxy customer: who, never what the plan allows (that is {@link AccountLimits}).
 * Immutable.
 *
 * @param userId the account's internal id (users.id); for a sub-user, its parent account
 * @param customerId the proxy username as authenticated: the public customer id, or
 *     {@code CUSTOMERID-sub-NAME} for a sub-user ({@link SubUserNames}); the key of the
 *     gateway's credential cache, so a re-check asks about the same credentials
 * @param apiKeyId the key's id (api_keys.id); null for a sub-user, which has its own secret
 *     instead of an API key (docs/sub-users.md), and for a request served by IP-authorised access
 *     without credentials (docs/ip-authorised-access.md)
 * @param subUserId the sub-user (sub_users.id) when the credentials are a sub-user's, else null
 */
public record CustomerPrincipal(UUID userId, String customerId, @Nullable UUID apiKeyId, @Nullable UUID subUserId) {

    /**
     * The account itself (no sub-user): authenticated with one of its API keys, or, with a null
     * {@code apiKeyId}, served by IP-authorised access.
     */
    public CustomerPrincipal(UUID userId, String customerId, @Nullable UUID apiKeyId) {
        this(userId, customerId, apiKeyId, null);
    }
}
