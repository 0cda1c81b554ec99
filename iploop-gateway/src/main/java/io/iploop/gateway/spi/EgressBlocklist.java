package io.iploop.gateway.spi;

import java.util.List;

/**
 * The control plane's destination blocklist (docs/security.md#exits-the-data-plane). The gateway
 * fetches the whole list every
 * few seconds (default 2 s) from a blocking executor, never from an event loop and never per
 * request, so implementations may block (a database) and must be thread-safe.
 */
@FunctionalInterface
public interface EgressBlocklist {

    /** No blocked destinations. */
    EgressBlocklist EMPTY = List::of;

    /**
     * @return every blocked destination, in any order
     * @throws Exception if the store is unavailable; the gateway keeps the last list it had
     */
    List<BlockedDestination> entries() throws Exception;
}
