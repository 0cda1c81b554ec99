package io.iploop.gateway.pool;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The health of one pool port's upstream (docs/upstream-pool.md#health). Thread-safe: the health
 * checker writes, every event loop reads.
 */
final class PoolPortState {

    /** Consecutive failed checks that mark an upstream down. */
    static final int FAILURES_TO_DOWN = 2;

    private volatile @Nullable String downReason;
    private volatile Instant since;
    private int failures;

    PoolPortState(Instant now) {
        this.since = now;
    }

    /** Why the upstream is down, or null while it is up. */
    @Nullable String downReason() {
        return downReason;
    }

    /** When the upstream last changed state (or was added). */
    Instant since() {
        return since;
    }

    /** A check passed: the upstream is up (again). Called by the one health checker of the port. */
    synchronized void checked(Instant now) {
        failures = 0;
        if (downReason != null) {
            downReason = null;
            since = now;
        }
    }

    /**
     * A check failed.
     *
     * @return true when this failure marked the upstream down
     */
    synchronized boolean failed(String reason, Instant now) {
        failures++;
        if (failures >= FAILURES_TO_DOWN) {
            boolean changed = downReason == null;
            downReason = reason;
            if (changed) {
                since = now;
            }
            return changed;
        }
        return false;
    }
}
