package io.iploop.server.keys.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.keys.ApiKey;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.keys.CreatedApiKey;
import io.iploop.server.keys.KeysException;
import io.iploop.server.platform.SecureTokens;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The API keys service over {@link ApiKeyRepository}; creating and toggling keys is audited (seed 000
 * §9.5) in the same transaction. Thread-safe.
 */
@Service
class DefaultApiKeysService implements ApiKeysService {

    /** Characters of the key shown in listings (seed 001 §6.2: first 14). */
    static final int DISPLAY_PREFIX_LENGTH = 14;

    private final ApiKeyRepository keys;
    private final AuditService audit;

    DefaultApiKeysService(ApiKeyRepository keys, AuditService audit) {
        this.keys = keys;
        this.audit = audit;
    }

    /** A new key: {@code iploop_} + 48 hex from 24 SecureRandom bytes. */
    static String newKey() {
        return KEY_PREFIX + SecureTokens.randomHex(24);
    }

    @Override
    @Transactional
    public CreatedApiKey create(UUID userId, String name) {
        keys.lockUser(userId);
        if (keys.countByUser(userId) >= MAX_KEYS_PER_USER) {
            throw new KeysException(KeysException.Reason.KEY_LIMIT_REACHED,
                    "an account can have at most " + MAX_KEYS_PER_USER + " API keys", null);
        }
        String key = newKey();
        ApiKey created = keys.insert(userId, name.strip(), SecureTokens.sha256Hex(key), key.substring(0, DISPLAY_PREFIX_LENGTH));
        audit(userId, AuditAction.API_KEY_CREATED, created);
        return new CreatedApiKey(created, key);
    }

    @Override
    public List<ApiKey> list(UUID userId) {
        return keys.findByUser(userId);
    }

    @Override
    @Transactional
    public ApiKey setActive(UUID userId, UUID keyId, boolean active) {
        ApiKey key = keys.setActive(userId, keyId, active)
                .orElseThrow(() -> new KeysException(KeysException.Reason.NOT_FOUND, "no such API key", null));
        audit(userId, active ? AuditAction.API_KEY_ENABLED : AuditAction.API_KEY_DISABLED, key);
        return key;
    }

    private void audit(UUID userId, AuditAction action, ApiKey key) {
        audit.record(new AuditEvent(userId, action, "api_key", key.id().toString(), Map.of("name", key.name())));
    }
}
