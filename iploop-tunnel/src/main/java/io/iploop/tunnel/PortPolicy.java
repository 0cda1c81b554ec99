package io.iploop.tunnel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The destination TCP ports a node agent opens streams to (docs/node-agent.md#allowed-ports),
 * announced in HELLO (docs/protocol.md §4.1): sorted, non-overlapping, non-adjacent ranges within
 * 1-65535, at most {@value #MAX_RANGES} of them. {@link #allows(int)} is a scan of a few ints, cheap
 * enough for every selection candidate. Immutable, thread-safe.
 */
public final class PortPolicy {

    /** Most ranges a policy may hold (bounds the HELLO field to 1 + 4 × 64 bytes). */
    public static final int MAX_RANGES = 64;
    /** Every port, 1-65535. */
    public static final PortPolicy ALL = new PortPolicy(new int[] {1}, new int[] {65535});
    /** The default of a node agent's operator settings: 80 and 443 only. */
    public static final PortPolicy WEB = parse("80,443");

    private final int[] first;
    private final int[] last;

    private PortPolicy(int[] first, int[] last) {
        this.first = first;
        this.last = last;
    }

    /**
     * Parses {@code all} or a comma-separated list of ports and {@code from-to} ranges, e.g.
     * {@code 80,443,8000-9000}; order and overlaps do not matter.
     *
     * @throws IllegalArgumentException naming the bad item (not a number, outside 1-65535, a range
     *     whose end is below its start, empty, or more than {@value #MAX_RANGES} ranges)
     */
    public static PortPolicy parse(String spec) {
        String s = spec.strip();
        if (s.equalsIgnoreCase("all")) {
            return ALL;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("(expected: all, or ports and ranges such as 80,443,8000-9000)");
        }
        List<int[]> ranges = new ArrayList<>();
        for (String item : s.split(",", -1)) {
            String t = item.strip();
            int dash = t.indexOf('-');
            int a = port(dash < 0 ? t : t.substring(0, dash), t);
            int b = dash < 0 ? a : port(t.substring(dash + 1), t);
            if (b < a) {
                throw new IllegalArgumentException("(expected: a range from-to with from <= to; bad: " + t + ")");
            }
            ranges.add(new int[] {a, b});
        }
        return of(ranges);
    }

    /**
     * A policy of the given inclusive ranges, each {@code {first, last}}; sorted and merged here.
     *
     * @throws IllegalArgumentException for a bound outside 1-65535, {@code last < first}, none, or
     *     more than {@value #MAX_RANGES} ranges after merging
     */
    public static PortPolicy of(List<int[]> ranges) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("(expected: at least one port)");
        }
        int[][] sorted = ranges.stream().map(int[]::clone).sorted((x, y) -> Integer.compare(x[0], y[0])).toArray(int[][]::new);
        int[] f = new int[sorted.length];
        int[] l = new int[sorted.length];
        int n = 0;
        for (int[] r : sorted) {
            if (r[0] < 1 || r[1] > 65535 || r[1] < r[0]) {
                throw new IllegalArgumentException("(expected: ports 1-65535 with from <= to; bad: " + r[0] + "-" + r[1] + ")");
            }
            if (n > 0 && r[0] <= l[n - 1] + 1) {
                l[n - 1] = Math.max(l[n - 1], r[1]);
            } else {
                f[n] = r[0];
                l[n] = r[1];
                n++;
            }
        }
        if (n > MAX_RANGES) {
            throw new IllegalArgumentException("(expected: at most " + MAX_RANGES + " ports or ranges; got " + n + ")");
        }
        if (n == 1 && f[0] == 1 && l[0] == 65535) {
            return ALL;
        }
        return new PortPolicy(Arrays.copyOf(f, n), Arrays.copyOf(l, n));
    }

    private static int port(String v, String item) {
        try {
            int p = Integer.parseInt(v.strip());
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw new IllegalArgumentException("(expected: all, or ports 1-65535 and ranges such as 8000-9000; bad: "
                + (item.isEmpty() ? "an empty item" : item) + ")");
    }

    /** Whether a stream to TCP {@code port} is allowed; false for anything outside 1-65535. */
    public boolean allows(int port) {
        for (int i = 0; i < first.length; i++) {
            if (port < first[i]) {
                return false;
            }
            if (port <= last[i]) {
                return true;
            }
        }
        return false;
    }

    /** Whether this allows every port (then HELLO omits the field). */
    public boolean isAll() {
        return this == ALL;
    }

    /** Number of ranges, 1-{@value #MAX_RANGES}. */
    public int rangeCount() {
        return first.length;
    }

    /** First port of range {@code i}. */
    public int first(int i) {
        return first[i];
    }

    /** Last port (inclusive) of range {@code i}. */
    public int last(int i) {
        return last[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortPolicy p && Arrays.equals(first, p.first) && Arrays.equals(last, p.last);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(first) + Arrays.hashCode(last);
    }

    /** The canonical spec {@link #parse} accepts: {@code all} or e.g. {@code 80,443,8000-9000}. */
    @Override
    public String toString() {
        if (isAll()) {
            return "all";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < first.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(first[i]);
            if (last[i] != first[i]) {
                sb.append('-').append(last[i]);
            }
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
