package io.iploop.bench;

import io.iploop.gateway.pool.PoolThreads;
import java.util.Arrays;

/**
 * The upstream pool's thread-limit check (docs/upstream-pool.md#limits, target ≤ 1 µs): times
 * {@link PoolThreads#tryAcquire} plus {@link PoolThreads#release} for an account at and below its
 * limit, single-threaded and with every core hammering one account. Prints nanoseconds per check as
 * a Markdown table; numbers live here, never in timed tests (docs/testing.md#performance-numbers).
 * Run: {@code java -cp … io.iploop.bench.PoolThreadCheckBench}.
 */
public final class PoolThreadCheckBench {

    private static final int CHECKS = 20_000_000;

    private PoolThreadCheckBench() {}

    public static void main(String[] args) throws Exception {
        System.out.println("| case | ns per check (median of 5) |");
        System.out.println("|---|---|");
        System.out.printf("| below the limit, 1 thread | %.1f |%n", median(() -> below(new PoolThreads())));
        System.out.printf("| at the limit (refused), 1 thread | %.1f |%n", median(() -> atLimit(new PoolThreads())));
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("| below the limit, %d threads on one account | %.1f |%n", cores, median(() -> contended(cores)));
    }

    interface Run {
        double nanosPerCheck() throws Exception;
    }

    private static double median(Run run) throws Exception {
        run.nanosPerCheck(); // warm-up
        double[] r = new double[5];
        for (int i = 0; i < r.length; i++) {
            r[i] = run.nanosPerCheck();
        }
        Arrays.sort(r);
        return r[2];
    }

    private static double below(PoolThreads t) {
        long start = System.nanoTime();
        int taken = 0;
        for (int i = 0; i < CHECKS; i++) {
            if (t.tryAcquire(10)) {
                taken++;
                t.release();
            }
        }
        double ns = (System.nanoTime() - start) / (double) CHECKS;
        if (taken != CHECKS) {
            throw new IllegalStateException("refused below the limit");
        }
        return ns;
    }

    private static double atLimit(PoolThreads t) {
        for (int i = 0; i < 10; i++) {
            t.tryAcquire(10);
        }
        long start = System.nanoTime();
        int refused = 0;
        for (int i = 0; i < CHECKS; i++) {
            if (!t.tryAcquire(10)) {
                refused++;
            }
        }
        double ns = (System.nanoTime() - start) / (double) CHECKS;
        if (refused != CHECKS) {
            throw new IllegalStateException("admitted over the limit");
        }
        return ns;
    }

    private static double contended(int threads) throws InterruptedException {
        PoolThreads t = new PoolThreads();
        Thread[] workers = new Thread[threads];
        long start = System.nanoTime();
        for (int w = 0; w < threads; w++) {
            workers[w] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < CHECKS / threads; i++) {
                    if (t.tryAcquire(1_000)) {
                        t.release();
                    }
                }
            });
        }
        for (Thread w : workers) {
            w.join();
        }
        return (System.nanoTime() - start) / (double) (CHECKS / threads);
    }
}
