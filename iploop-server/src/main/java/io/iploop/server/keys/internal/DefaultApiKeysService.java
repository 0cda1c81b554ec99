package io.iploop.server.keys.internal;

import io.iploop.server.keys.ApiKey;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.keys.CreatedApiKey;
import io.iploop.server.keys.KeysException;
import io.iploop.server.platform.SecureTokens;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The API keys service over {@link ApiKeyRepository}. Thread-safe. */
@Service
class DefaultApiKeysService implements ApiKeysService {

    /** Characters of the key shown in listings (seed 001 §6.2: first 14). */
    static final int DISPLAY_PREFIX_LENGTH = 14;

    private final ApiKeyRepository keys;

    DefaultApiKeysService(ApiKeyRepository keys) {
        this.keys = keys;
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
        return new CreatedApiKey(created, key);
    }

    @Override
    public List<ApiKey> list(UUID userId) {
        return keys.findByUser(userId);
    }

    @Override
    public ApiKey setActive(UUID userId, UUID keyId, boolean active) {
        return keys.setActive(userId, keyId, active)
                .orElseThrow(() -> new KeysException(KeysException.Reason.NOT_FOUND, "no such API key", null));
    }
}
