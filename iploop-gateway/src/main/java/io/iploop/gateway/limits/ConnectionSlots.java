package io.iploop.gateway.limits;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open-connection count behind a concurrency limit, shared by {@link AccountLimiter} and
 * {@link SubUserLimiter} (docs/sub-users.md: a sub-user's connection takes a slot of its own and
 * one of its account's). Thread-safe: one atomic counter, taken with compare-and-set so the limit
 * is never overshot by racing event loops.
 */
final class ConnectionSlots {

    private final AtomicInteger open = new AtomicInteger();

    /** Connections open now (slots taken and not yet released). */
    int open() {
        return open.get();
    }

    /**
     * Takes a slot unless {@code max} are already taken; pair with {@link #release()}.
     *
     * @param max the limit, 0 or less for none
     * @return false at the limit
     */
    boolean tryAcquire(int max) {
        return tryAcquire(max, 0);
    }

    /**
     * Takes a slot unless {@code max} are already taken here and elsewhere in the cluster.
     *
     * @param max the limit, 0 or less for none
     * @param elsewhere connections other gateways hold open (docs/deploy.md#shared-limits)
     * @return false at the limit
     */
    boolean tryAcquire(int max, long elsewhere) {
        while (true) {
            int n = open.get();
            if (max > 0 && n + elsewhere >= max) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a slot taken by {@link #tryAcquire(int)}. */
    void release() {
        open.decrementAndGet();
    }
}
