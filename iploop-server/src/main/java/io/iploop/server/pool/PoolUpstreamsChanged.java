package io.iploop.server.pool;

import java.time.Instant;

/**
 * The pool's upstreams changed (an import, a deletion, a re-read file). Published inside the
 * transaction that wrote the change: a listener that reads the new list from
 * {@code PoolUpstreamSource} (the gateway's pool reload) listens after commit
 * ({@code @ApplicationModuleListener} or {@code @TransactionalEventListener}), so it never reads the
 * old list. Counts are of upstreams (ports). Immutable.
 *
 * @param added upstreams bound to a new port
 * @param updated upstreams that kept their port but whose credentials changed
 * @param removed ports that lost their upstream
 * @param at when the change was written
 */
public record PoolUpstreamsChanged(int added, int updated, int removed, Instant at) {}
