package io.iploop.gateway.pool;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sockets ("threads") one account holds on pool ports, and the thread-limit check
 * (docs/upstream-pool.md#limits): one atomic increment, plus a decrement when over the limit; no
 * allocation, no lock. Thread-safe.
 */
public final class PoolThreads {

    private final AtomicInteger held = new AtomicInteger();

    /**
     * Takes a thread if the account holds fewer than {@code max}.
     *
     * @param max the plan's threads, 0 = unlimited
     * @return whether a thread was taken (give it back with {@link #release})
     */
    public boolean tryAcquire(int max) {
        int n = held.incrementAndGet();
        if (max > 0 && n > max) {
            held.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * Gives a thread back.
     *
     * @return the threads held afterwards
     */
    public int release() {
        return held.decrementAndGet();
    }

    /** Threads held now. */
    public int held() {
        return held.get();
    }
}
