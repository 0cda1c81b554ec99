package io.iploop.gateway.limits;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Executors for blocking lookups that an attacker can trigger at will (proxy credential checks,
 * node HELLO admissions): a fixed number of threads and a bounded queue, so a flood of handshakes
 * cannot pile up unbounded work or starve the control plane's connection pool. When both are
 * full, {@code execute} throws {@link java.util.concurrent.RejectedExecutionException}; callers
 * answer "overloaded" (503) or close instead of waiting. Stateless factory.
 */
public final class BoundedExecutors {

    /** Default threads of a lookup executor. */
    public static final int DEFAULT_THREADS = 32;
    /** Default queued lookups beyond the running ones. */
    public static final int DEFAULT_QUEUE = 1024;

    private BoundedExecutors() {}

    /**
     * @param name thread name prefix
     * @param threads most lookups running at once, >= 1 (idle threads end after 30 s)
     * @param queue most lookups waiting, >= 1
     */
    public static ExecutorService create(String name, int threads, int queue) {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queue), Thread.ofPlatform().daemon().name(name, 0).factory(),
                new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
