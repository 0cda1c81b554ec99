package io.iploop.node;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Delays between tunnel connection attempts: exponential backoff ({@code base × 2^attempt},
 * capped) with full jitter, so a fleet of agents that lost the same gateway does not reconnect
 * in lock step. Not thread-safe; {@link NodeAgent} calls it under its lock.
 */
final class ReconnectBackoff {

    /** Defaults of docs/protocol.md §6: 1 s base, doubling, 60 s cap. */
    static final Duration DEFAULT_BASE = Duration.ofSeconds(1);
    static final Duration DEFAULT_CAP = Duration.ofSeconds(60);
    /** Delay after the gateway refused a duplicate device id (docs/node-agent.md). */
    static final Duration DEFAULT_DUPLICATE_DELAY = Duration.ofMinutes(5);

    /** Least delay after a 4503 "try elsewhere" answer (docs/protocol.md §4.1). */
    static final Duration TRY_ELSEWHERE_FLOOR = Duration.ofSeconds(5);

    private final long baseMillis;
    private final long capMillis;
    private final long duplicateDelayMillis;
    private final RandomGenerator random;
    private int attempt;

    ReconnectBackoff(Duration base, Duration cap, RandomGenerator random) {
        this(base, cap, DEFAULT_DUPLICATE_DELAY, random);
    }

    /**
     * @param duplicateDelay the delay after a "device id already connected" refusal
     * @throws IllegalArgumentException for a base &le; 0, a cap below the base or a duplicate
     *     delay below the cap
     */
    ReconnectBackoff(Duration base, Duration cap, Duration duplicateDelay, RandomGenerator random) {
        this.duplicateDelayMillis = duplicateDelay.toMillis();
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        if (baseMillis <= 0) {
            throw new IllegalArgumentException("base: " + base + " (expected: > 0 ms)");
        }
        if (capMillis < baseMillis) {
            throw new IllegalArgumentException("cap: " + cap + " (expected: >= base " + base + ")");
        }
        if (duplicateDelayMillis < capMillis) {
            throw new IllegalArgumentException("duplicateDelay: " + duplicateDelay + " (expected: >= cap " + cap + ")");
        }
        this.random = random;
    }

    /** The production backoff: 1 s base, ×2, 60 s cap. */
    static ReconnectBackoff standard() {
        return new ReconnectBackoff(DEFAULT_BASE, DEFAULT_CAP, RandomGenerator.getDefault());
    }

    /** The upper bound of the delay before attempt number {@code attempt} (0-based), in ms. */
    long ceilingMillis(int attempt) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt: " + attempt + " (expected: >= 0)");
        }
        // 2^62 would overflow the multiplication; anything past the cap is the cap anyway.
        int shift = Math.min(attempt, 62 - (64 - Long.numberOfLeadingZeros(baseMillis)));
        long ceiling = baseMillis << Math.max(shift, 0);
        return Math.min(ceiling, capMillis);
    }

    /** The delay before the next attempt after a failure, in ms: uniform in [0, ceiling]. */
    long nextDelayMillis() {
        long ceiling = ceilingMillis(attempt);
        if (attempt < Integer.MAX_VALUE) {
            attempt++;
        }
        return random.nextLong(ceiling + 1);
    }

    /**
     * The delay after the gateway refused the agent (bad key, banned device), in ms: uniform in
     * [cap/2, cap], so a refused agent keeps retrying without hammering the gateway.
     */
    long refusedDelayMillis() {
        long half = capMillis / 2;
        return half + random.nextLong(capMillis - half + 1);
    }

    /**
     * The delay after the gateway refused this device id because another agent with the same id
     * is connected (a cloned disk or volume), in ms: uniform in [0.9, 1.0] × the duplicate delay.
     * Long, so the copy does not keep knocking at the gateway while its operator is away.
     */
    long duplicateDelayMillis() {
        long low = duplicateDelayMillis - duplicateDelayMillis / 10;
        return low + random.nextLong(duplicateDelayMillis - low + 1);
    }

    /**
     * The delay after the gateway answered 4503 "try elsewhere" (full or busy, docs/protocol.md
     * §4.1), in ms: the growing jittered delay of {@link #nextDelayMillis()}, but at least
     * {@link #TRY_ELSEWHERE_FLOOR} plus up to as much again, so a fleet that a full gateway turned
     * away spreads its retries instead of knocking again at once.
     */
    long tryElsewhereDelayMillis() {
        long floor = Math.min(TRY_ELSEWHERE_FLOOR.toMillis(), capMillis);
        long next = nextDelayMillis();
        return Math.max(next, floor + random.nextLong(floor + 1));
    }

    /** Starts over at the base delay (after a session that lived long enough). */
    void reset() {
        attempt = 0;
    }

    /** Failures since the last reset. */
    int attempt() {
        return attempt;
    }

    long capMillis() {
        return capMillis;
    }
}
