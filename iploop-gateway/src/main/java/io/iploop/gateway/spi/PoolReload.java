package io.iploop.gateway.spi;

import java.util.List;

/**
 * What a reload of the pool's upstream list changed (docs/upstream-pool.md#upstreams-import-and-reload).
 * Immutable.
 *
 * @param added ports newly bound
 * @param removed ports no longer served (their open tunnels close after the grace period)
 * @param replaced ports whose upstream changed (new connections use the new upstream)
 * @param failures one line per port that could not be applied (bind failures, ports outside the
 *     pool range, duplicates), naming the port and the cause; empty when everything applied
 */
public record PoolReload(int added, int removed, int replaced, List<String> failures) {

    public PoolReload {
        failures = List.copyOf(failures);
    }
}
