package io.iploop.gateway.spi;

import java.util.List;

/**
 * The control plane's list of upstream-pool upstreams (docs/upstream-pool.md). The gateway calls it
 * off its event loops on a schedule and whenever it is asked to reload, compares the answer with
 * the ports it serves and applies only the difference, so unrelated connections are never dropped.
 * Implementations may block (a database) and must be thread-safe.
 */
@FunctionalInterface
public interface PoolUpstreamSource {

    /** No upstream pool: the gateway opens no pool ports. */
    PoolUpstreamSource NONE = List::of;

    /**
     * @return every upstream with its pool port, at most one per port; never null
     * @throws Exception if the store is unavailable; the gateway keeps serving the last list
     */
    List<PoolUpstream> upstreams() throws Exception;
}
