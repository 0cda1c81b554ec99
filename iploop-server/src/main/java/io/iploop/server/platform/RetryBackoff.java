package io.iploop.server.platform;

import java.time.Duration;

/**
 * An exponential retry schedule shared by the outbox workers (docs/architecture.md#rules, outbox):
 * the delay after the {@code n}-th failed attempt is {@code first × factor^(n-1)}, at most {@code max}.
 * Immutable and thread-safe.
 *
 * @param first delay after the first failed attempt (positive)
 * @param factor growth per further failed attempt (at least 1)
 * @param max largest delay (at least {@code first})
 */
public record RetryBackoff(Duration first, int factor, Duration max) {

    /** @throws IllegalArgumentException if {@code first} is not positive, {@code factor < 1} or {@code max < first} */
    public RetryBackoff {
        if (first.isNegative() || first.isZero() || factor < 1 || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("retry backoff needs first > 0, factor >= 1 and max >= first, got "
                    + first + ", " + factor + ", " + max);
        }
    }

    /**
     * The delay before the next attempt after {@code failedAttempts} failed ones (values below 1 count
     * as 1); never above {@link #max}.
     */
    public Duration after(int failedAttempts) {
        Duration d = first;
        for (int i = 1; i < failedAttempts; i++) {
            d = d.multipliedBy(factor);
            if (d.compareTo(max) >= 0) {
                return max;
            }
        }
        return d.compareTo(max) > 0 ? max : d;
    }
}
