package io.iploop.server.platform;

import java.util.Set;
import java.util.UUID;

/**
 * The caller of an admin API request authenticated by an admin API token rather than a login
 * (docs/upstream-pool.md#admin-api-and-tokens). Controllers of token-enabled paths receive it as
 * the authentication principal instead of an {@link AuthenticatedUser}. Immutable.
 *
 * @param tokenId the token's id
 * @param ownerId the admin (users.id) who created the token; audit entries name this admin
 * @param scopes the token's scopes, e.g. {@code pool:read}, {@code pool:write}
 */
public record AdminTokenPrincipal(UUID tokenId, UUID ownerId, Set<String> scopes) {

    public AdminTokenPrincipal {
        scopes = Set.copyOf(scopes);
    }
}
