package io.iploop.server.keys;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The sub-user credentials the keys feature's proxy credential check needs (docs/sub-users.md#credentials),
 * supplied by the sub-users feature. The interface lives here and is implemented there (dependency
 * inversion, as {@link KeyOwners}): sub-users depend on keys (the IP whitelist rules), so keys calling
 * them would make a cycle. The keys feature decides: it applies the same rules to a sub-user as to a
 * key (owner active, enabled, unexpired, whitelists), so the two never drift apart. Thread-safe.
 */
public interface SubUserCredentials {

    /**
     * A stored sub-user, as the credential check needs it.
     *
     * @param userId the parent account
     * @param ipWhitelist the sub-user's own whitelist (validated by {@link IpWhitelists}); empty allows every client
     * @param expiresAt when the sub-user stops working, or null for never
     */
    record SubUserCredential(UUID userId, UUID subUserId, boolean enabled, @Nullable Instant expiresAt,
            List<String> ipWhitelist) {}

    /**
     * The sub-user named {@code name} of the account with public id {@code customerId} whose secret
     * hashes to {@code secretSha256Hex}; empty if there is none. One indexed lookup (the gateway's
     * auth cache sits in front of every call).
     *
     * @throws RuntimeException if the store is unavailable
     */
    Optional<SubUserCredential> find(String customerId, String name, String secretSha256Hex);
}
