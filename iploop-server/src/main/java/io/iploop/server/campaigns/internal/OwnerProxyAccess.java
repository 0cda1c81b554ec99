package io.iploop.server.campaigns.internal;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.keys.ApiKey;
import io.iploop.server.keys.ApiKeysService;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The proxy credentials the engine uses to send a project owner's visits as that owner's own
 * residential traffic (docs/campaigns.md#engine), so it is metered, limited and paid like any of the
 * owner's traffic and node operators earn for it. On first use in this process the engine creates an
 * API key named {@link #KEY_NAME} in the owner's account (deleting an earlier one, whose secret only
 * the previous process knew) and keeps its secret in memory only. Thread-safe.
 */
@Component
class OwnerProxyAccess {

    /** The name of the engine's key in the owner's key list. */
    static final String KEY_NAME = "IPLoop campaign engine";

    /** Proxy username (the owner's customer id) and password (the engine's key). */
    record Credentials(String customerId, String key) {}

    private final AccountsService accounts;
    private final ApiKeysService keys;
    private final Map<UUID, Credentials> cache = new ConcurrentHashMap<>();

    OwnerProxyAccess(AccountsService accounts, ApiKeysService keys) {
        this.accounts = accounts;
        this.keys = keys;
    }

    /**
     * The owner's credentials, creating the engine key on first use; empty when the account is gone.
     *
     * @throws io.iploop.server.keys.KeysException {@code KEY_LIMIT_REACHED} when the owner has no free key slot
     */
    Optional<Credentials> of(UUID ownerId) {
        Credentials c = cache.get(ownerId);
        if (c != null) {
            return Optional.of(c);
        }
        return accounts.find(ownerId).map(account -> cache.computeIfAbsent(ownerId, id -> {
            for (ApiKey k : keys.list(id)) {
                if (k.name().equals(KEY_NAME)) {
                    keys.delete(id, k.id());
                }
            }
            return new Credentials(account.customerId(), keys.create(id, KEY_NAME).key());
        }));
    }

    /** Forgets the owner's key (e.g. the gateway refused it), so the next use creates a new one. */
    void forget(UUID ownerId) {
        cache.remove(ownerId);
    }
}
