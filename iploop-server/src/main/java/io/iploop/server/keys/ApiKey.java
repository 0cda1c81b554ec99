package io.iploop.server.keys;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A proxy API key as listed to its owner (docs/product/proxy.md#api-keys): never the key itself, only its
 * prefix. Immutable.
 *
 * @param keyPrefix the first 14 characters of the key ({@code iploop_} + 7 hex)
 * @param lastUsedAt last successful proxy authentication, updated within about 10 s, or null
 * @param expiresAt when the key stops working, as chosen at creation, or null for never
 * @param ipWhitelist client IPs and CIDR ranges allowed to use the key; empty allows every client
 * @param replacedBy the key that replaced this one by rotation (docs/product/proxy.md#key-rotation), or null
 * @param graceEndsAt for a rotated key, when it stops working (24 h after rotation), else null
 */
public record ApiKey(
        UUID id,
        String name,
        String keyPrefix,
        boolean isActive,
        Instant createdAt,
        @Nullable Instant lastUsedAt,
        @Nullable Instant expiresAt,
        List<String> ipWhitelist,
        @Nullable UUID replacedBy,
        @Nullable Instant graceEndsAt) {

    public ApiKey {
        ipWhitelist = List.copyOf(ipWhitelist);
    }
}
