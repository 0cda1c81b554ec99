package io.iploop.server.pool.internal;

import io.iploop.gateway.spi.PoolPortRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The ports a pool subscription grants (docs/upstream-pool.md#access): {@code all}, or a comma
 * separated list of ports and inclusive ranges ({@code 4000-4099,4200}), at most 100 entries.
 * Stateless.
 */
final class PortSpec {

    static final String ALL = "all";
    static final int MAX_ENTRIES = 100;

    private PortSpec() {}

    /**
     * @return the ranges; empty for {@code all}
     * @throws IllegalArgumentException saying what is wrong
     */
    static List<PoolPortRange> parse(String spec) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals(ALL)) {
            return List.of();
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty (expected: all, or ports and ranges such as 4000-4099,4200)");
        }
        String[] parts = s.split(",", -1);
        if (parts.length > MAX_ENTRIES) {
            throw new IllegalArgumentException(parts.length + " entries (expected: at most " + MAX_ENTRIES + ")");
        }
        List<PoolPortRange> out = new ArrayList<>(parts.length);
        for (String part : parts) {
            out.add(range(part.strip()));
        }
        return out;
    }

    /** Normalised text of {@link #parse}'s result. */
    static String normalise(String spec) {
        List<PoolPortRange> ranges = parse(spec);
        if (ranges.isEmpty()) {
            return ALL;
        }
        StringBuilder b = new StringBuilder();
        for (PoolPortRange r : ranges) {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(r.first());
            if (r.last() != r.first()) {
                b.append('-').append(r.last());
            }
        }
        return b.toString();
    }

    /** One {@code N} or {@code A-B}. */
    static PoolPortRange range(String part) {
        int dash = part.indexOf('-');
        try {
            if (dash < 0) {
                int p = port(part);
                return new PoolPortRange(p, p);
            }
            return new PoolPortRange(port(part.substring(0, dash).strip()), port(part.substring(dash + 1).strip()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + (part.length() > 20 ? part.substring(0, 20) + "…" : part)
                    + "' (expected: a port 1-65535 or a range A-B with A <= B)");
        }
    }

    private static int port(String s) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(s);
        }
        return Integer.parseInt(s);
    }
}
