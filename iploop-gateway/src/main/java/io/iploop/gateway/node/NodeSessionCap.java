package io.iploop.gateway.node;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * How many node sessions one gateway holds at most (docs/scale.md#node-session-cap). Each session
 * is one open file descriptor; a process that runs out of descriptors stops accepting customers and
 * stops answering its API, so the hub refuses nodes beyond the cap, with close code 4503 ("try
 * elsewhere", docs/protocol.md §4.1), while descriptors remain for customers, exits and the API.
 * Stateless.
 */
public final class NodeSessionCap {

    /** The cap when the process's descriptor limit cannot be read. */
    public static final int FALLBACK = 10_000;
    /** Descriptors always kept for everything but node sessions. */
    public static final int MIN_RESERVE = 1_024;

    private NodeSessionCap() {}

    /**
     * The default cap: {@link #fromLimit} of this process's RLIMIT_NOFILE (soft limit), or
     * {@link #FALLBACK} when the JVM does not expose it (not a Unix JVM).
     */
    public static int defaultCap() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long limit = unix.getMaxFileDescriptorCount();
            if (limit > 0) {
                return fromLimit(limit);
            }
        }
        return FALLBACK;
    }

    /**
     * The cap for a descriptor limit of {@code maxFileDescriptors}: the limit less a reserve of a
     * quarter of it (at least {@link #MIN_RESERVE}), never below 1. For 1 048 576 that is 786 432;
     * for 65 536, 49 152; for 20 000, 15 000; for 1 024 (a common default), 1.
     */
    public static int fromLimit(long maxFileDescriptors) {
        if (maxFileDescriptors <= 0) {
            throw new IllegalArgumentException("maxFileDescriptors: " + maxFileDescriptors + " (expected: > 0)");
        }
        long reserve = Math.max(MIN_RESERVE, maxFileDescriptors / 4);
        return Math.clamp(maxFileDescriptors - reserve, 1, Integer.MAX_VALUE);
    }
}
