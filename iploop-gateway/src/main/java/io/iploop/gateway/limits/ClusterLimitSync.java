package io.iploop.gateway.limits;

import io.iploop.gateway.spi.SharedLimitCounters;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exchanges this gateway's limit counts with the cluster's {@link SharedLimitCounters}
 * (docs/deploy.md#shared-limits): every {@link #INTERVAL} for the principals in use, and once
 * when a limiter is first loaded (so a gateway that never saw an account still knows what the
 * others hold before it admits the first request). Runs on {@link Limits}' sync thread or the
 * blocking executor, never on an event loop; each exchange waits at most {@link #WAIT}. A failed
 * exchange keeps the last known figures and reports the requests again next time. Thread-safe.
 */
final class ClusterLimitSync {

    private static final Logger log = LoggerFactory.getLogger(ClusterLimitSync.class);
    /** Period of the batched exchange: the window in which two gateways may both admit the last slot. */
    static final Duration INTERVAL = Duration.ofMillis(100);
    /** How long a gateway's open connections count without a newer report (a dead gateway's slots). */
    static final Duration OPEN_TTL = Duration.ofSeconds(15);
    /** Longest wait for one exchange. */
    static final Duration WAIT = Duration.ofSeconds(2);
    /** A principal unused this long and holding nothing is no longer exchanged every interval. */
    static final long ACTIVE_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** One principal to exchange: its share and its open connections on this gateway now. */
    record Target(ClusterShare share, int open) {}

    private final SharedLimitCounters counters;
    private final Clock clock;
    private final String gatewayId = UUID.randomUUID().toString();
    private volatile boolean failing;

    ClusterLimitSync(SharedLimitCounters counters, Clock clock) {
        this.counters = counters;
        this.clock = clock;
    }

    /** This gateway's id in the cluster's counts (new with every process). */
    String gatewayId() {
        return gatewayId;
    }

    /** Whether {@code share}'s principal is exchanged this round. */
    static boolean active(ClusterShare share, int open, long unusedNanos) {
        return open > 0 || share.othersOpen() > 0 || !share.quiet() || unusedNanos < ACTIVE_NANOS;
    }

    /**
     * Reports {@code targets} and installs the answers; waits at most {@link #WAIT}. Serialized, so
     * an older answer never overwrites a newer one.
     */
    synchronized void exchange(List<Target> targets) {
        if (targets.isEmpty()) {
            return;
        }
        long epochSecond = Math.floorDiv(clock.millis(), 1000);
        List<SharedLimitCounters.Report> reports = new ArrayList<>(targets.size());
        for (Target t : targets) {
            reports.add(t.share().report(t.open(), epochSecond, OPEN_TTL.toMillis()));
        }
        try {
            List<SharedLimitCounters.Totals> totals = counters.exchange(gatewayId, reports).toCompletableFuture()
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            for (int i = 0; i < targets.size(); i++) {
                targets.get(i).share().apply(reports.get(i), totals.get(i));
            }
            if (failing) {
                failing = false;
                log.info("shared limit counters reachable again");
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < targets.size(); i++) {
                targets.get(i).share().failed(reports.get(i));
            }
            if (!failing) {
                failing = true;
                log.warn("shared limit counters unreachable; admitting on the last known cluster counts: {}", e.toString());
            }
        }
    }
}
