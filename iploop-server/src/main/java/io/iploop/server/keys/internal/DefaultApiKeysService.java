package io.iploop.server.keys.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.keys.ApiKey;
import io.iploop.server.keys.KeyOwners;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.keys.CreatedApiKey;
import io.iploop.server.keys.KeysException;
import io.iploop.server.platform.SecureTokens;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The API keys service over {@link ApiKeyRepository}; creating and toggling keys is audited
 * (docs/product/accounts.md#audit-log) in the same transaction. Thread-safe.
 */
@Service
class DefaultApiKeysService implements ApiKeysService {

    /** Characters of the key shown in listings (docs/product/proxy.md#api-keys: first 14). */
    static final int DISPLAY_PREFIX_LENGTH = 14;

    private final ApiKeyRepository keys;
    private final AuditService audit;
    private final KeyOwners owners;

    DefaultApiKeysService(ApiKeyRepository keys, AuditService audit, KeyOwners owners) {
        this.keys = keys;
        this.audit = audit;
        this.owners = owners;
    }

    /** A new key: {@code iploop_} + 48 hex from 24 SecureRandom bytes. */
    static String newKey() {
        return KEY_PREFIX + SecureTokens.randomHex(24);
    }

    @Override
    @Transactional
    public CreatedApiKey create(UUID userId, String name) {
        // Overridden so the transaction (which the audit entry requires) starts at the proxy; the
        // interface's default method would call the three-argument create on the bare target.
        return create(userId, name, null);
    }

    @Override
    @Transactional
    public CreatedApiKey create(UUID userId, String name, @Nullable Instant expiresAt) {
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            throw new KeysException(KeysException.Reason.INVALID_EXPIRY,
                    "expiresAt: " + expiresAt + " (expected: in the future)", "expiresAt");
        }
        keys.lockUser(userId);
        if (keys.countByUser(userId) >= MAX_KEYS_PER_USER) {
            throw new KeysException(KeysException.Reason.KEY_LIMIT_REACHED,
                    "an account can have at most " + MAX_KEYS_PER_USER + " API keys", null);
        }
        return issue(userId, name.strip(), true, expiresAt, List.of());
    }

    private CreatedApiKey issue(UUID userId, String name, boolean active, @Nullable Instant expiresAt, List<String> ips) {
        String key = newKey();
        ApiKey created = keys.insert(userId, new ApiKeyRepository.NewKey(name, SecureTokens.sha256Hex(key),
                key.substring(0, DISPLAY_PREFIX_LENGTH), active, expiresAt, ips));
        audit(userId, AuditAction.API_KEY_CREATED, created);
        return new CreatedApiKey(created, key);
    }

    @Override
    public List<ApiKey> list(UUID userId) {
        return keys.findByUser(userId);
    }

    @Override
    public ApiKey get(UUID userId, UUID keyId) {
        return keys.find(userId, keyId, false).orElseThrow(DefaultApiKeysService::notFound);
    }

    @Override
    @Transactional
    public ApiKey setActive(UUID userId, UUID keyId, boolean active) {
        ApiKey key = keys.setActive(userId, keyId, active).orElseThrow(DefaultApiKeysService::notFound);
        audit(userId, active ? AuditAction.API_KEY_ENABLED : AuditAction.API_KEY_DISABLED, key);
        return key;
    }

    @Override
    @Transactional
    public void delete(UUID userId, UUID keyId) {
        ApiKey key = keys.find(userId, keyId, false).orElseThrow(DefaultApiKeysService::notFound);
        if (!keys.delete(userId, keyId)) {
            throw notFound();
        }
        audit(userId, AuditAction.API_KEY_DELETED, key);
    }

    @Override
    @Transactional
    public ApiKey setWhitelist(UUID userId, UUID keyId, List<String> ips) {
        List<String> valid = IpWhitelist.validate(ips, "ips");
        ApiKey old = keys.find(userId, keyId, true).orElseThrow(DefaultApiKeysService::notFound);
        ApiKey updated = keys.setWhitelist(userId, keyId, valid).orElseThrow(DefaultApiKeysService::notFound);
        audit.record(new AuditEvent(userId, AuditAction.IP_WHITELIST_CHANGED, "api_key", keyId.toString(),
                Map.of("name", old.name(), "old", String.join(",", old.ipWhitelist()), "new", String.join(",", valid))));
        return updated;
    }

    @Override
    @Transactional
    public CreatedApiKey rotate(UUID userId, UUID keyId) {
        keys.lockUser(userId);
        ApiKey old = keys.find(userId, keyId, true).orElseThrow(DefaultApiKeysService::notFound);
        if (old.replacedBy() != null) {
            throw new KeysException(KeysException.Reason.ALREADY_ROTATED,
                    "this API key was already rotated; rotate its successor " + old.replacedBy() + " instead", null);
        }
        CreatedApiKey successor = issue(userId, old.name(), old.isActive(), old.expiresAt(), old.ipWhitelist());
        keys.retire(userId, keyId, successor.apiKey().id(), ROTATION_GRACE);
        audit(userId, AuditAction.API_KEY_ROTATED, old);
        return successor;
    }

    @Override
    public List<String> accountWhitelist(UUID userId) {
        return keys.accountWhitelist(userId);
    }

    @Override
    @Transactional
    public List<String> setAccountWhitelist(UUID userId, List<String> ips) {
        List<String> valid = IpWhitelist.validate(ips, "ips");
        keys.lockUser(userId);
        List<String> old = keys.accountWhitelist(userId);
        keys.setAccountWhitelist(userId, valid);
        audit.record(new AuditEvent(userId, AuditAction.IP_WHITELIST_CHANGED, "account", userId.toString(),
                Map.of("old", String.join(",", old), "new", String.join(",", valid))));
        return valid;
    }

    private static KeysException notFound() {
        return new KeysException(KeysException.Reason.NOT_FOUND, "no such API key", null);
    }

    private void audit(UUID userId, AuditAction action, ApiKey key) {
        audit.record(new AuditEvent(userId, action, "api_key", key.id().toString(), Map.of("name", key.name())));
    }

    @Override
    public long activeKeyCount() {
        return keys.countUsable(owners.inactiveIds());
    }
}
