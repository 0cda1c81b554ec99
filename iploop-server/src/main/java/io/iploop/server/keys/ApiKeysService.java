package io.iploop.server.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The API keys feature's public API (docs/product/proxy.md#api-keys, docs/product/api.md#endpoint-groups, docs/product/proxy.md#key-rotation, docs/product/accounts.md#ip-whitelist). Every method
 * is scoped by the owner's account id; another account's key behaves as if it did not exist
 * ({@code NOT_FOUND}, nothing changed: docs/product/api.md#conventions). Changes reach the gateway
 * within its 5 s auth cache. Thread-safe.
 */
public interface ApiKeysService {

    /** docs/product/proxy.md#api-keys: keys per account (keys in their rotation grace period do not count). */
    int MAX_KEYS_PER_USER = 5;

    /** Key format (docs/product/proxy.md#api-keys): this prefix plus 48 lowercase hex characters (24 random bytes). */
    String KEY_PREFIX = "iploop_";

    /** docs/product/proxy.md#key-rotation: how long a rotated key keeps working beside its successor. */
    Duration ROTATION_GRACE = Duration.ofHours(24);

    /** Creates a key that never expires; see {@link #create(UUID, String, Instant)}. */
    default CreatedApiKey create(UUID userId, String name) {
        return create(userId, name, null);
    }

    /**
     * Creates a key for {@code userId}.
     *
     * @param expiresAt when the key stops working (docs/product/proxy.md#api-keys), or null for never
     * @throws KeysException {@code KEY_LIMIT_REACHED} when the account has {@link #MAX_KEYS_PER_USER},
     *     {@code INVALID_EXPIRY} when {@code expiresAt} is not in the future
     */
    CreatedApiKey create(UUID userId, String name, @Nullable Instant expiresAt);

    /** The account's keys, newest first, including rotated keys until their grace period ends. */
    List<ApiKey> list(UUID userId);

    /** One of the account's keys with its whitelist. @throws KeysException {@code NOT_FOUND} */
    ApiKey get(UUID userId, UUID keyId);

    /** Enables or disables one of the account's keys. @throws KeysException {@code NOT_FOUND} */
    ApiKey setActive(UUID userId, UUID keyId, boolean active);

    /**
     * Deletes one of the account's keys: it is no longer listed and stops working within the
     * gateway's 5 s cache; its usage history stays attributed to it. @throws KeysException {@code NOT_FOUND}
     */
    void delete(UUID userId, UUID keyId);

    /**
     * Replaces a key's IP whitelist (IPv4, IPv6, CIDR; at most 50 entries; empty allows every client).
     *
     * @throws KeysException {@code NOT_FOUND}, or {@code INVALID_WHITELIST} naming the bad entry
     */
    ApiKey setWhitelist(UUID userId, UUID keyId, List<String> ips);

    /**
     * Rotates a key (docs/product/proxy.md#key-rotation): issues a successor with the same name, whitelist, state and
     * expiry, shown once; the old key keeps working for {@link #ROTATION_GRACE}.
     *
     * @throws KeysException {@code NOT_FOUND}, or {@code ALREADY_ROTATED} for a key already replaced
     */
    CreatedApiKey rotate(UUID userId, UUID keyId);

    /** The account-level IP whitelist (docs/product/accounts.md#ip-whitelist); empty allows every client. */
    List<String> accountWhitelist(UUID userId);

    /**
     * Replaces the account-level IP whitelist, enforced for every key of the account on top of each
     * key's own whitelist. @throws KeysException {@code INVALID_WHITELIST} naming the bad entry
     */
    List<String> setAccountWhitelist(UUID userId, List<String> ips);

    /**
     * The account's IP-authorised addresses (docs/ip-authorised-access.md): clients that may use the
     * proxy as this account without credentials, in the order they were given.
     */
    List<IpAuthorisation> ipAuthorisations(UUID userId);

    /**
     * Replaces the account's IP-authorised addresses (at most 50; an empty list ends IP-authorised
     * access), all or none. Takes effect at the gateway within its 5 s credential cache, as a key
     * revocation does. Audited.
     *
     * @throws KeysException {@code INVALID_IP_AUTHORISATION} naming the bad entry (malformed address,
     *     invalid default targeting, two entries that overlap, too many), or
     *     {@code IP_ALREADY_AUTHORISED} (409) when an entry overlaps another account's
     */
    List<IpAuthorisation> setIpAuthorisations(UUID userId, List<IpAuthorisation> entries);

    /**
     * Keys that would authenticate now, over all accounts (admin statistics, docs/product/admin.md): enabled,
     * not deleted, unexpired, not past a rotation grace period, of an active account.
     */
    long activeKeyCount();
}
