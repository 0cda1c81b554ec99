package io.iploop.gateway.spi;

/**
 * An inclusive range of pool ports a customer may use (docs/upstream-pool.md#access). Immutable.
 *
 * @param first the lowest port, 1-65535
 * @param last the highest port, {@code first}-65535
 */
public record PoolPortRange(int first, int last) {

    /**
     * @throws IllegalArgumentException when a bound is out of range or {@code last < first}
     */
    public PoolPortRange {
        if (first < 1 || last > 65535 || last < first) {
            throw new IllegalArgumentException("port range: " + first + "-" + last + " (expected: 1 <= first <= last <= 65535)");
        }
    }

    /** @return whether {@code port} lies in this range */
    public boolean contains(int port) {
        return port >= first && port <= last;
    }
}
