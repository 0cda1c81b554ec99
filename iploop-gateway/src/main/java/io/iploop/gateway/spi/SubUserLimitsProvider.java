package io.iploop.gateway.spi;

import java.util.UUID;

/**
 * The control plane's view of a sub-user's own limits (docs/sub-users.md#limits). Called like
 * {@link LimitsProvider}: on first use and then every few seconds (default 2 s) per active
 * sub-user, from a blocking executor, never an event loop; implementations may block and must be
 * thread-safe. Bytes the gateway carried but has not yet written are subtracted by the gateway.
 */
@FunctionalInterface
public interface SubUserLimitsProvider {

    /** A provider that gives every sub-user {@link SubUserLimits#UNLIMITED}. */
    SubUserLimitsProvider UNLIMITED = subUserId -> SubUserLimits.UNLIMITED;

    /**
     * @param subUserId the sub-user (sub_users.id) of an authenticated principal
     * @throws Exception if the store is unavailable; the gateway answers 503 for a sub-user it has
     *     not loaded yet and keeps the last known limits for a known one
     */
    SubUserLimits limits(UUID subUserId) throws Exception;
}
