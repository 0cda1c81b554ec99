package io.iploop.server.keys;

import java.util.List;
import java.util.UUID;

/**
 * The API keys feature's public API (seed 001 §6.2, §5.5). Every method is scoped by the owner's
 * account id; another account's key behaves as if it did not exist. Thread-safe.
 */
public interface ApiKeysService {

    /** Seed 001 §5.5: keys per account. */
    int MAX_KEYS_PER_USER = 5;

    /** Key format (seed 001 §6.2): this prefix plus 48 lowercase hex characters (24 random bytes). */
    String KEY_PREFIX = "iploop_";

    /**
     * Creates a key for {@code userId}.
     *
     * @throws KeysException {@code KEY_LIMIT_REACHED} when the account has {@link #MAX_KEYS_PER_USER}
     */
    CreatedApiKey create(UUID userId, String name);

    /** The account's keys, newest first. */
    List<ApiKey> list(UUID userId);

    /**
     * Enables or disables one of the account's keys; the gateway stops accepting a disabled key
     * within its 5 s auth cache. @throws KeysException {@code NOT_FOUND}
     */
    ApiKey setActive(UUID userId, UUID keyId, boolean active);
}
