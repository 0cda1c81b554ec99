package io.iploop.gateway.pool;

/**
 * A rate of {@code units} per second with a burst of {@code burstNanos} worth of units, as a
 * generic cell rate algorithm (GCRA: one "theoretical arrival time", no timer, no allocation).
 * Used for requests per second (refuse when over: {@link #tryAcquire}) and for shaping bytes per
 * second (always take, wait when over: {@link #reserve}). Thread-safe (a short lock per call).
 */
final class PoolRate {

    private final double nanosPerUnit;
    private final long burstNanos;
    private long tat;

    /**
     * @param perSecond units per second, at least 1
     * @param burstNanos how far ahead of the rate a caller may run, in ns
     */
    PoolRate(long perSecond, long burstNanos) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond: " + perSecond + " (expected: >= 1)");
        }
        this.nanosPerUnit = 1e9 / perSecond;
        this.burstNanos = burstNanos;
        this.tat = Long.MIN_VALUE / 2;
    }

    /**
     * Takes {@code units} if the rate allows them now.
     *
     * @return 0 when taken, else the nanoseconds until they would be allowed (nothing taken)
     */
    synchronized long tryAcquire(long units, long nowNanos) {
        long start = Math.max(tat, nowNanos);
        long next = start + (long) (units * nanosPerUnit);
        long wait = next - nowNanos - burstNanos;
        if (wait > 0) {
            return wait;
        }
        tat = next;
        return 0;
    }

    /**
     * Takes {@code units} whatever the rate.
     *
     * @return how long the caller should now wait before taking more, in ns (0: none)
     */
    synchronized long reserve(long units, long nowNanos) {
        long start = Math.max(tat, nowNanos);
        tat = start + (long) (units * nanosPerUnit);
        return Math.max(0, tat - nowNanos - burstNanos);
    }
}
