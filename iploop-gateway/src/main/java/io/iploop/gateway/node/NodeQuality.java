package io.iploop.gateway.node;

import io.iploop.gateway.spi.NodeStore;
import io.iploop.tunnel.OpenFailedException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The exit quality of one node, measured at this gateway from the node's real streams
 * (docs/exit-quality.md): the share of OPENs that succeed, the time to first byte and the
 * throughput as moving averages ({@link Ewma}), failures counted by {@link Cause}, a score 0-100
 * from them and a circuit breaker that keeps a failing node out of selection for a cool-off.
 *
 * <p>Kept across reconnects of the node (the hub remembers it for a while), so a node cannot shed
 * a bad record by reconnecting. Thread-safe: updates take this object's monitor (once per stream
 * event, uncontended in practice: a node's streams complete on its session's event loop); the
 * selection reads only the volatile {@link #score()} and breaker deadline and allocates nothing.
 */
final class NodeQuality {

    /** Weight of a new OPEN outcome once warmed up (about the last 20 streams count). */
    static final double SUCCESS_ALPHA = 0.1;
    /** The success share assumed before any stream, worth one stream. */
    static final double SUCCESS_PRIOR = 0.9;
    /** Weight of a new time-to-first-byte or throughput sample once warmed up. */
    static final double TIMING_ALPHA = 0.2;
    /** Time to first byte at or below which the latency part is full, ms. */
    static final double TTFB_GOOD_MILLIS = 300;
    /** Time to first byte at or above which the latency part is zero, ms. */
    static final double TTFB_BAD_MILLIS = 3000;
    /** Throughput at or below which the throughput part is zero, Mbit/s. */
    static final double THROUGHPUT_LOW_MBPS = 0.5;
    /** Throughput at or above which the throughput part is full, Mbit/s (log scale in between). */
    static final double THROUGHPUT_HIGH_MBPS = 50;
    /** A stream counts as a throughput sample from this many bytes received from the exit. */
    static final long THROUGHPUT_MIN_BYTES = 64 * 1024;
    /** A pause between two chunks longer than this is idle time, not transfer time (ns). */
    static final long IDLE_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Consecutive failures blamed on the node that open the breaker. */
    static final int BREAKER_FAILURES = 5;
    /** How long an open breaker keeps the node out of selection before one probe (ns). */
    static final long COOL_OFF_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** A half-open probe that reports nothing within this lets another probe through (ns). */
    static final long PROBE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

    /** Why a stream failed, and whom it says something about (docs/exit-quality.md#failure-causes). */
    enum Cause {
        /** The node refused the OPEN (draining, over its stream limit) or did not answer at all. */
        UNAVAILABLE(Blame.NODE),
        /** The node's connection closed while the OPEN was pending. */
        DISCONNECTED(Blame.NODE),
        /** The node's connect to the target timed out. */
        TIMEOUT(Blame.AMBIGUOUS),
        /** The node had no route to the target. */
        UNREACHABLE(Blame.AMBIGUOUS),
        /** The node's DNS resolver failed. */
        DNS_SERVER_FAILURE(Blame.AMBIGUOUS),
        /** An opened stream closed with an error before the exit sent a byte. */
        DROPPED(Blame.AMBIGUOUS),
        /** The target refused the connection. */
        CONNECTION_REFUSED(Blame.TARGET),
        /** The target's name does not exist. */
        DNS_FAILURE(Blame.TARGET),
        /** The node's egress policy forbids the target. */
        FORBIDDEN(Blame.TARGET),
        /** Anything else. */
        OTHER(Blame.AMBIGUOUS);

        final Blame blame;

        Cause(Blame blame) {
            this.blame = blame;
        }

        /** The metric tag value, e.g. {@code dns_server_failure}. */
        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The cause of a failed OPEN ({@code error} as {@code TunnelSession.openStream} fails). */
        static Cause of(Throwable error) {
            if (error instanceof ClosedChannelException) {
                return DISCONNECTED;
            }
            if (error instanceof OpenFailedException ofe) {
                return switch (ofe.failure()) {
                    case UNAVAILABLE -> UNAVAILABLE;
                    case TIMEOUT -> TIMEOUT;
                    case UNREACHABLE -> UNREACHABLE;
                    case DNS_SERVER_FAILURE -> DNS_SERVER_FAILURE;
                    case CONNECTION_REFUSED -> CONNECTION_REFUSED;
                    case DNS_FAILURE -> DNS_FAILURE;
                    case FORBIDDEN -> FORBIDDEN;
                };
            }
            return OTHER;
        }
    }

    /**
     * Whom a failure says something about. {@code NODE} lowers the success share and counts toward
     * the breaker; {@code AMBIGUOUS} (the node's network or the target) lowers the success share
     * only; {@code TARGET} (what the customer asked for) is counted and nothing else, so a customer
     * asking for a dead host cannot spoil the exits' records.
     */
    enum Blame { NODE, AMBIGUOUS, TARGET }

    /** The breaker's state (docs/exit-quality.md#circuit-breaker). */
    enum BreakerState { CLOSED, OPEN, HALF_OPEN }

    /** Selection weight by score: {@code max(0.001, (score / 100)^3)}, so better nodes win more often, not always. */
    private static final double[] WEIGHTS = new double[101];

    static {
        for (int s = 0; s <= 100; s++) {
            WEIGHTS[s] = Math.max(0.001, Math.pow(s / 100.0, 3));
        }
    }

    private final Ewma success = new Ewma(SUCCESS_ALPHA, SUCCESS_PRIOR, 1);
    private final Ewma ttfbMillis = new Ewma(TIMING_ALPHA, 0, 0);
    private final Ewma throughputMbps = new Ewma(TIMING_ALPHA, 0, 0);
    private final long[] causes = new long[Cause.values().length];
    private int consecutiveFailures;
    private volatile int score = score(SUCCESS_PRIOR, null, null);
    /** Average TTFB in ms for lock-free reads, NaN before the first sample. */
    private volatile double ttfbNow = Double.NaN;
    /** Average throughput in Mbit/s for lock-free reads, NaN before the first sample. */
    private volatile double throughputNow = Double.NaN;
    /** 0 while the breaker is closed; else the System.nanoTime() until which no stream may be sent. */
    private volatile long blockedUntil;

    /**
     * The score 0-100 (docs/exit-quality.md#score): {@code round(100 × (0.60 S + 0.25 L + 0.15 T))}
     * with S the success share, L the latency part and T the throughput part, each 0-1; L and T
     * are 0.5 before their first sample.
     *
     * @param ttfbMillis average time to first byte in ms, null when not measured yet
     * @param throughputMbps average throughput in Mbit/s, null when not measured yet
     */
    static int score(double successShare, @Nullable Double ttfbMillis, @Nullable Double throughputMbps) {
        double s = clamp(successShare);
        double l = ttfbMillis == null ? 0.5 : clamp((TTFB_BAD_MILLIS - ttfbMillis) / (TTFB_BAD_MILLIS - TTFB_GOOD_MILLIS));
        double t = throughputMbps == null ? 0.5
                : throughputMbps <= 0 ? 0 : clamp(Math.log(throughputMbps / THROUGHPUT_LOW_MBPS)
                        / Math.log(THROUGHPUT_HIGH_MBPS / THROUGHPUT_LOW_MBPS));
        return (int) Math.round(100 * (0.60 * s + 0.25 * l + 0.15 * t));
    }

    private static double clamp(double v) {
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }

    /** The current score 0-100; a node without any stream has the neutral prior (74). Lock-free. */
    int score() {
        return score;
    }

    /** The selection weight of the current score, in (0, 1]. Lock-free, allocation-free. */
    double weight() {
        return WEIGHTS[score];
    }

    /** Whether any stream outcome has been recorded. */
    synchronized boolean measured() {
        return success.samples() > 0 || ttfbMillis.samples() > 0 || throughputMbps.samples() > 0;
    }

    /**
     * False while the breaker is open or a half-open probe is out: the node is skipped. Lock-free.
     *
     * @param now {@link System#nanoTime()}
     */
    boolean available(long now) {
        long until = blockedUntil;
        return until == 0 || now - until >= 0;
    }

    /**
     * Claims the stream the selection is about to send: always true with a closed breaker; when
     * the cool-off has passed (half-open), true for exactly one caller, whose stream is the probe,
     * until the probe reports or {@link #PROBE_TIMEOUT_NANOS} passes.
     */
    boolean tryAcquire(long now) {
        if (blockedUntil == 0) {
            return true;
        }
        synchronized (this) {
            long until = blockedUntil;
            if (until == 0) {
                return true;
            }
            if (now - until < 0) {
                return false;
            }
            blockedUntil = nonZero(now + PROBE_TIMEOUT_NANOS);
            return true;
        }
    }

    /** The breaker's state at {@code now}. */
    BreakerState breakerState(long now) {
        long until = blockedUntil;
        return until == 0 ? BreakerState.CLOSED : now - until < 0 ? BreakerState.OPEN : BreakerState.HALF_OPEN;
    }

    /**
     * The node answered an OPEN with OPEN_OK: closes the breaker. The success share waits for how the
     * stream goes ({@link #openSucceeded()} at its first byte back or its clean end, or {@link #failed}
     * with {@link Cause#DROPPED}), so a node that accepts streams and then drops them counts one
     * failure per stream, not a success and a failure (docs/exit-quality.md#measurements).
     */
    synchronized void opened() {
        consecutiveFailures = 0;
        blockedUntil = 0;
    }

    /**
     * A stream through the node succeeded: the exit sent its first byte back, or the stream ended
     * without error. Counts as a success and closes the breaker.
     */
    synchronized void openSucceeded() {
        success.add(1);
        consecutiveFailures = 0;
        blockedUntil = 0;
        update();
    }

    /**
     * An OPEN failed (or an opened stream was dropped, {@link Cause#DROPPED}): counted by cause, then
     * as {@link Cause#blame} says.
     *
     * @param now {@link System#nanoTime()}
     */
    synchronized void failed(Cause cause, long now) {
        causes[cause.ordinal()]++;
        if (cause.blame == Blame.TARGET) {
            return;
        }
        success.add(0);
        if (cause.blame == Blame.NODE) {
            consecutiveFailures++;
            if (blockedUntil != 0 || consecutiveFailures >= BREAKER_FAILURES) {
                // Trips a closed breaker, or re-opens one whose probe failed.
                blockedUntil = nonZero(now + COOL_OFF_NANOS);
            }
        }
        update();
    }

    /** The first byte from the exit came {@code nanos} after the customer's first byte into the stream. */
    synchronized void firstByte(long nanos) {
        ttfbMillis.add(nanos / 1e6);
        update();
    }

    /**
     * A stream received {@code bytes} from the exit over {@code activeNanos} of transfer time (idle
     * gaps left out); ignored below {@link #THROUGHPUT_MIN_BYTES} or without measurable time.
     */
    synchronized void transferred(long bytes, long activeNanos) {
        if (bytes < THROUGHPUT_MIN_BYTES || activeNanos <= 0) {
            return;
        }
        throughputMbps.add(bytes * 8_000.0 / activeNanos);
        update();
    }

    /** Average time to first byte in ms, NaN while not measured. Lock-free. */
    double ttfbMillis() {
        return ttfbNow;
    }

    /** Average throughput in Mbit/s, NaN while not measured. Lock-free. */
    double throughputMbps() {
        return throughputNow;
    }

    private void update() {
        ttfbNow = ttfbMillis.samples() == 0 ? Double.NaN : ttfbMillis.value();
        throughputNow = throughputMbps.samples() == 0 ? Double.NaN : throughputMbps.value();
        score = score(success.value(), ttfbMillis.samples() == 0 ? null : ttfbMillis.value(),
                throughputMbps.samples() == 0 ? null : throughputMbps.value());
    }

    private static long nonZero(long t) {
        return t == 0 ? 1 : t;
    }

    /** The measured averages now, as the gateway reports them with the node's counters (NodeStore). */
    synchronized NodeStore.QualityFigures figures() {
        return new NodeStore.QualityFigures(success.value(), ttfbMillis.samples() == 0 ? null : ttfbMillis.value(),
                throughputMbps.samples() == 0 ? null : throughputMbps.value());
    }

    /** The figures now, for displays and tests. */
    synchronized Snapshot snapshot(long now) {
        return new Snapshot(score, success.value(), success.samples(),
                ttfbMillis.samples() == 0 ? null : ttfbMillis.value(),
                throughputMbps.samples() == 0 ? null : throughputMbps.value(), causes.clone(), consecutiveFailures,
                breakerState(now));
    }

    /**
     * The figures of one node at one moment.
     *
     * @param successShare average share of OPENs that succeeded, 0-1 (prior 0.9)
     * @param ttfbMillis average time to first byte, ms; null before the first sample
     * @param throughputMbps average throughput, Mbit/s; null before the first sample
     * @param causes failures counted by {@link Cause} ordinal
     */
    record Snapshot(int score, double successShare, long streams, @Nullable Double ttfbMillis,
            @Nullable Double throughputMbps, long[] causes, int consecutiveFailures, BreakerState breaker) {

        /** Failures counted for {@code cause}. */
        long count(Cause cause) {
            return causes[cause.ordinal()];
        }
    }
}
