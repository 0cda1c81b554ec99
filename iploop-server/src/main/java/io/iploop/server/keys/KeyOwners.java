package io.iploop.server.keys;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What the keys feature needs to know about the accounts that own keys, supplied by the accounts
 * feature. The interface lives here and is implemented there (dependency inversion) because
 * accounts already depends on keys (the admin user view lists a user's keys); keys calling the
 * accounts service would make a cycle. Implementations are thread-safe.
 */
public interface KeyOwners {

    /**
     * The public customer id of the account {@code userId} if it exists and may use the proxy now
     * (status active); empty otherwise. One primary-key lookup: the gateway's auth cache sits in
     * front of every call on the proxy path.
     */
    Optional<String> activeCustomerId(UUID userId);

    /** Ids of the accounts that may not use the proxy now (any status but active); for statistics. */
    Set<UUID> inactiveIds();
}
