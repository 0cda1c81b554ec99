package io.iploop.server.pool;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An admin API token as listed (never the token itself). Immutable.
 *
 * @param id token id
 * @param name the admin's label
 * @param scopes e.g. {@code pool:read}, {@code pool:write}
 * @param createdBy the admin who created it
 * @param expiresAt after this instant it is refused (401)
 * @param revokedAt when it was revoked, or null
 * @param lastUsedAt last accepted use, or null
 */
public record AdminToken(UUID id, String name, Set<String> scopes, UUID createdBy, Instant createdAt, Instant expiresAt,
        @Nullable Instant revokedAt, @Nullable Instant lastUsedAt) {

    public AdminToken {
        scopes = Set.copyOf(scopes);
    }
}
