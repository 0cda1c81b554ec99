package io.iploop.node;

/**
 * One direction of the agent's bandwidth cap (docs/node-agent.md#bandwidth-limit): a token bucket
 * over that direction of all exit streams (the agent has one for bytes from targets and one for
 * bytes to them, like a line's downstream and upstream), {@code bytesPerSecond} refilled
 * continuously with a burst of {@link #BURST_SECONDS} worth. Implemented as virtual scheduling: each
 * charge moves a "paid up to" time forward by the bytes' duration at the rate, and reports how long
 * the caller must wait until the bucket has covered them. Thread-safe (one short lock per charge).
 */
public final class BandwidthLimiter {

    /** The burst allowance, in seconds of the rate. */
    public static final double BURST_SECONDS = 0.1;

    /**
     * How much of the rate one socket read may take, in seconds: reads are cut to this size so the
     * capped bytes flow in small, evenly spaced pieces rather than a large read followed by a long
     * pause (which the gateway would count as idle time, measuring the burst as the node's speed).
     */
    static final double READ_SLICE_SECONDS = 0.02;

    private final long bytesPerSecond;
    private final long burstNanos;
    private long paidUntilNanos;

    /**
     * @param megabitsPerSecond the cap in Mbit/s (10^6 bits per second), 1-10000 like the
     *     {@code bandwidth-limit-mbps} setting
     * @throws IllegalArgumentException outside 1-10000
     */
    public BandwidthLimiter(int megabitsPerSecond) {
        if (megabitsPerSecond < 1 || megabitsPerSecond > 10_000) {
            throw new IllegalArgumentException("megabitsPerSecond: " + megabitsPerSecond + " (expected: 1-10000)");
        }
        this.bytesPerSecond = megabitsPerSecond * 125_000L;
        this.burstNanos = (long) (BURST_SECONDS * 1e9);
        this.paidUntilNanos = System.nanoTime() - burstNanos;
    }

    /** The cap in bytes per second. */
    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /**
     * The most bytes one socket read should take under this cap: {@link #READ_SLICE_SECONDS} of the
     * rate, at least 2 KiB and at most 64 KiB (2 500 bytes at 1 Mbit/s, so 50 reads a second).
     */
    public int readSize() {
        return Math.clamp((long) (bytesPerSecond * READ_SLICE_SECONDS), 2048, 65_536);
    }

    /**
     * Charges {@code bytes} carried at {@code nowNanos} ({@link System#nanoTime()}).
     *
     * @return nanoseconds the caller should wait before moving more bytes (0 while within the burst)
     */
    public synchronized long charge(long bytes, long nowNanos) {
        long start = Math.max(paidUntilNanos, nowNanos - burstNanos);
        paidUntilNanos = start + bytes * 1_000_000_000L / bytesPerSecond;
        return Math.max(0, paidUntilNanos - nowNanos);
    }
}
