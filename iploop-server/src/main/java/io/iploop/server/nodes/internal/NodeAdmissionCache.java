package io.iploop.server.nodes.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.UserStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Short-lived caches of what every node HELLO looks up (docs/scale.md#admissions): the node key by
 * its hash (unknown keys too, so a flood of bad keys costs no queries), whether the key's owner is
 * active, and when a key's {@code last_used_at} was last written (at most once a minute per key).
 * A reconnect storm of one operator's fleet thus costs the upsert and the ban check per node, not
 * five statements. Revoking a key clears the key cache at once ({@link #keysChanged()}); an
 * account suspended or banned refuses new HELLOs within {@link #TTL}, and the gateway's eviction
 * poll still closes revoked or banned nodes within a second. Thread-safe.
 */
@Component
class NodeAdmissionCache {

    /** How long a key or owner lookup is reused. */
    static final Duration TTL = Duration.ofSeconds(10);
    private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);
    private static final long MAX_ENTRIES = 500_000;

    private final NodeKeyRepository keys;
    private final AccountsService accounts;
    private final Cache<String, Optional<NodeKeyRepository.ActiveKey>> keysByHash = Caffeine.newBuilder()
            .expireAfterWrite(TTL).maximumSize(MAX_ENTRIES).build();
    private final Cache<UUID, Boolean> ownerActive = Caffeine.newBuilder()
            .expireAfterWrite(TTL).maximumSize(MAX_ENTRIES).build();
    private final Cache<UUID, Boolean> touched = Caffeine.newBuilder()
            .expireAfterWrite(TOUCH_INTERVAL).maximumSize(MAX_ENTRIES).build();

    NodeAdmissionCache(NodeKeyRepository keys, AccountsService accounts) {
        this.keys = keys;
        this.accounts = accounts;
    }

    /** The unrevoked key with this SHA-256 hash (hex), empty when none; cached for {@link #TTL}. */
    Optional<NodeKeyRepository.ActiveKey> activeKey(String keyHash) {
        return keysByHash.get(keyHash, keys::findActiveByHash);
    }

    /** Whether the account exists and is active; cached for {@link #TTL}. */
    boolean ownerActive(UUID ownerUserId) {
        return ownerActive.get(ownerUserId, id -> {
            Optional<Account> a = accounts.find(id);
            return a.isPresent() && a.get().status() == UserStatus.ACTIVE;
        });
    }

    /** Records the key as used now, unless that was written less than a minute ago. */
    void touch(UUID keyId) {
        if (touched.asMap().putIfAbsent(keyId, Boolean.TRUE) == null) {
            try {
                keys.touch(keyId);
            } catch (RuntimeException e) {
                touched.invalidate(keyId);
                throw e;
            }
        }
    }

    /** A key was revoked (or issued): the next HELLO of any key reads it again. */
    void keysChanged() {
        keysByHash.invalidateAll();
    }
}
