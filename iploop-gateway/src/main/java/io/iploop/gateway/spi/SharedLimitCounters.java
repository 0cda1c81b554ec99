package io.iploop.gateway.spi;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Plan-limit counters shared by the gateways of a cluster (docs/deploy.md#shared-limits): the
 * connections each gateway holds open per account or sub-user, and the requests counted in the
 * current second and UTC day. The gateway still decides every admission on its event loop from
 * what it knows locally; it reports its own counts and learns the others' in batches (about every
 * 100 ms) through {@link #exchange}, from its own sync thread, never from an event loop.
 *
 * <p>A gateway's concurrency report lives only as long as it keeps reporting ({@link Report#ttlMillis}):
 * the connections of a gateway that dies stop counting after that time. Implementations must be
 * thread-safe and must not block the caller (the reply comes through the returned stage).
 */
public interface SharedLimitCounters {

    /**
     * One scope's report from one gateway.
     *
     * @param scope the counted principal: {@code a:<account uuid>} or {@code s:<sub-user uuid>}
     * @param open connections this gateway holds open for the scope now (absolute)
     * @param epochSecond the second (Unix time) {@code secondDelta} belongs to
     * @param secondDelta requests this gateway admitted in that second since its last report
     * @param epochDay the UTC day (days since 1970-01-01) {@code dayDelta} belongs to
     * @param dayDelta requests this gateway admitted in that day since its last report
     * @param ttlMillis how long {@code open} counts without a newer report, ms (&gt; 0)
     */
    record Report(String scope, int open, long epochSecond, long secondDelta, long epochDay, long dayDelta,
            long ttlMillis) {

        public Report {
            if (scope.isBlank() || open < 0 || secondDelta < 0 || dayDelta < 0 || ttlMillis <= 0) {
                throw new IllegalArgumentException("report: " + scope + " open " + open + ", deltas " + secondDelta
                        + "/" + dayDelta + ", ttl " + ttlMillis + " (expected: a scope, counts >= 0, ttl > 0)");
            }
        }
    }

    /**
     * What the cluster counts for a scope after a {@link Report} was applied.
     *
     * @param othersOpen connections the other live gateways hold open
     * @param secondTotal requests of the report's second, all gateways (this one's included)
     * @param dayTotal requests of the report's UTC day, all gateways (this one's included)
     */
    record Totals(long othersOpen, long secondTotal, long dayTotal) {}

    /**
     * Applies one gateway's reports and answers the totals, in the same order.
     *
     * @param gatewayId this gateway's id for this process lifetime (a restart is a new gateway)
     * @return the totals, or a stage failed when the shared store is unreachable (the gateway then
     *     keeps its last known figures and reports the deltas again next time)
     */
    CompletionStage<List<Totals>> exchange(String gatewayId, List<Report> reports);
}
