package io.iploop.gateway.spi;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The control plane's answer to "what may this account do on the upstream pool"
 * (docs/upstream-pool.md#limits). The gateway caches the answer per account and asks again every
 * few seconds (as for {@link LimitsProvider}) from a blocking executor, never from an event loop,
 * so implementations may block and must be thread-safe. Pool bytes the gateway carried but has not
 * yet written as usage records are subtracted by the gateway itself.
 */
@FunctionalInterface
public interface PoolAccessProvider {

    /** No account has pool access. */
    PoolAccessProvider NONE = userId -> null;

    /**
     * @param userId the account (users.id) of an authenticated principal
     * @return the account's pool grant, or null when it has no pool plan (the gateway answers 403
     *     {@code pool_access_denied})
     * @throws Exception if the store is unavailable; the gateway answers 503 for an account it has
     *     no answer for yet and keeps the last answer for a known one
     */
    @Nullable PoolGrant grant(UUID userId) throws Exception;
}
