package io.iploop.gateway.limits;

/**
 * A token bucket refilled continuously at {@code ratePerSecond} with a capacity of one second's
 * worth (docs/product/plans.md#rate-limits). Time comes from the caller in nanoseconds
 * ({@link System#nanoTime()}). Thread-safe (synchronized; one short critical section per request).
 */
final class TokenBucket {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int ratePerSecond;
    /** Tokens scaled by {@link #NANOS_PER_SECOND}, so refill is integer arithmetic. */
    private long scaledTokens;
    private long lastNanos;

    /** @param ratePerSecond tokens per second and capacity, > 0 */
    TokenBucket(int ratePerSecond, long nowNanos) {
        if (ratePerSecond <= 0) {
            throw new IllegalArgumentException("ratePerSecond: " + ratePerSecond + " (expected: > 0)");
        }
        this.ratePerSecond = ratePerSecond;
        this.scaledTokens = (long) ratePerSecond * NANOS_PER_SECOND;
        this.lastNanos = nowNanos;
    }

    int ratePerSecond() {
        return ratePerSecond;
    }

    /** @return 0 if a token was taken, else the nanoseconds until one is available */
    synchronized long tryTake(long nowNanos) {
        long capacity = (long) ratePerSecond * NANOS_PER_SECOND;
        long elapsed = Math.max(0, nowNanos - lastNanos);
        lastNanos = nowNanos;
        scaledTokens = elapsed >= NANOS_PER_SECOND ? capacity : Math.min(capacity, scaledTokens + elapsed * ratePerSecond);
        if (scaledTokens >= NANOS_PER_SECOND) {
            scaledTokens -= NANOS_PER_SECOND;
            return 0;
        }
        return (NANOS_PER_SECOND - scaledTokens + ratePerSecond - 1) / ratePerSecond;
    }
}
