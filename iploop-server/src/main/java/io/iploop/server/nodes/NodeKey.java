package io.iploop.server.nodes;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An operator node key as listed to its owner: never the key, only its prefix. Immutable.
 *
 * @param keyPrefix {@code ipn_} + the first 8 hex characters
 */
public record NodeKey(UUID id, String name, String keyPrefix, Instant createdAt, @Nullable Instant lastUsedAt,
        @Nullable Instant revokedAt) {}
