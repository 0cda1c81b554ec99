package io.iploop.server.dataplane;

import io.iploop.server.pool.PoolUpstreamsChanged;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Applies a changed upstream list to this process's gateway as soon as the change is committed
 * (docs/upstream-pool.md#upstreams-import-and-reload), instead of at the next poll. After commit,
 * because the gateway reads the list through {@code PoolUpstreamSource} and must see the new rows;
 * other gateways of a cluster pick the change up at their next poll. Thread-safe.
 */
@Component
class PoolReloadTrigger {

    private static final Logger log = LoggerFactory.getLogger(PoolReloadTrigger.class);

    private final DataPlane dataPlane;

    PoolReloadTrigger(DataPlane dataPlane) {
        this.dataPlane = dataPlane;
    }

    @TransactionalEventListener(fallbackExecution = true)
    void on(PoolUpstreamsChanged e) {
        dataPlane.reloadPool().whenComplete((reload, failure) -> {
            if (failure != null) {
                log.debug("upstream pool not reloaded now ({}); the next poll applies the change", failure.toString());
            } else {
                log.info("upstream pool reloaded after a change: {}", reload);
            }
        });
    }
}
