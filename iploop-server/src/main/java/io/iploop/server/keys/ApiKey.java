package io.iploop.server.keys;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A proxy API key as listed to its owner (seed 001 §5.5): never the key itself, only its prefix.
 * Immutable.
 *
 * @param keyPrefix the first 14 characters of the key ({@code iploop_} + 7 hex)
 * @param lastUsedAt last successful proxy authentication, updated within about 10 s, or null
 */
public record ApiKey(
        UUID id,
        String name,
        String keyPrefix,
        boolean isActive,
        Instant createdAt,
        @Nullable Instant lastUsedAt,
        @Nullable Instant expiresAt) {}
