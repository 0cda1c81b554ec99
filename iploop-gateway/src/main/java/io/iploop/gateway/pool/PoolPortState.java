package io.iploop.gateway.pool;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The health of one pool port's upstream (docs/upstream-pool.md#health). Thread-safe: the health
 * checker writes, every event loop reads.
 */
final class PoolPortState {

    /** Consecutive failed checks that mark an upstream down ({@link PoolSettings#healthFailures()}). */
    private final int failuresToDown;

    private volatile @Nullable String downReason;
    private volatile Instant since;
    private int failures;

    /** @param failuresToDown consecutive failed checks that mark the upstream down, &ge; 1 */
    PoolPortState(Instant now, int failuresToDown) {
        this.since = now;
        this.failuresToDown = failuresToDown;
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
        if (failures >= failuresToDown) {
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
