package io.iploop.gateway.spi;

import java.util.UUID;

/**
 * The control plane's view of an account's plan limits and byte balance. The gateway caches the
 * answer per account and calls this again every few seconds (default 2 s) from a blocking
 * executor, never from an event loop, so implementations may block (a database) and must be
 * thread-safe. Bytes the gateway carried but whose usage records it has not yet written are
 * subtracted by the gateway itself; the provider reports what its store knows.
 */
@FunctionalInterface
public interface LimitsProvider {

    /** A provider without limits. */
    LimitsProvider UNLIMITED = userId -> AccountLimits.UNLIMITED;

    /**
     * @param userId the account (users.id) of an authenticated principal
     * @throws Exception if the store is unavailable; the gateway answers 503 for a new account
     *     and keeps the last known limits for a known one
     */
    AccountLimits limits(UUID userId) throws Exception;
}
