package io.iploop.server.cashouts.internal;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The cash-out queue as Prometheus gauges (docs/deploy.md#metrics), refreshed off the request path
 * every {@code iploop.ops.metrics-refresh} (60 s by default) with one indexed aggregate query
 * ({@code cashout_requests_status_idx}). Per status that waits on the platform, not on the user
 * ({@code pending}: admin review; {@code approved}; {@code processing}: with the payout provider;
 * {@code payout_unknown}: an admin must resolve it, docs/earn-fraud.md):
 * {@code iploop_cashouts_pending{status}} (how many) and
 * {@code iploop_cashouts_oldest_pending_age_seconds{status}} (seconds since the oldest one was
 * requested, by the database clock; 0 when none). Each instance refreshes its own gauges; a failed
 * refresh sets them to NaN until the next success. Thread-safe.
 */
@Component
public class CashoutMetrics {

    /** The statuses counted, as stored. */
    static final List<String> WAITING = List.of("pending", "approved", "processing", "payout_unknown");

    private static final Logger log = LoggerFactory.getLogger(CashoutMetrics.class);

    private final JdbcClient jdbc;
    private final Map<String, AtomicReference<Double>> count = new HashMap<>();
    private final Map<String, AtomicReference<Double>> oldestAge = new HashMap<>();

    CashoutMetrics(JdbcClient jdbc, MeterRegistry registry) {
        this.jdbc = jdbc;
        for (String status : WAITING) {
            AtomicReference<Double> c = new AtomicReference<>(Double.NaN);
            AtomicReference<Double> a = new AtomicReference<>(Double.NaN);
            count.put(status, c);
            oldestAge.put(status, a);
            Gauge.builder("iploop.cashouts.pending", c, AtomicReference::get).tag("status", status)
                    .description("cash-outs waiting on the platform, by status").register(registry);
            Gauge.builder("iploop.cashouts.oldest.pending.age", a, AtomicReference::get).tag("status", status)
                    .baseUnit("seconds").description("age of the oldest cash-out in the status, 0 when none")
                    .register(registry);
        }
    }

    /** Re-reads the queue now; called by the scheduler, and by tests. Never throws. */
    @Scheduled(initialDelayString = "10s", fixedDelayString = "${iploop.ops.metrics-refresh:60s}")
    public void refresh() {
        try {
            Map<String, double[]> rows = new HashMap<>();
            jdbc.sql("""
                            SELECT status, count(*) AS n,
                                   extract(epoch FROM now() - min(created_at)) AS oldest
                            FROM cashout_requests WHERE status IN (:waiting) GROUP BY status""")
                    .param("waiting", WAITING)
                    .query((rs, n) -> rows.put(rs.getString("status"), new double[] {rs.getLong("n"), rs.getDouble("oldest")}))
                    .list();
            for (String status : WAITING) {
                double[] r = rows.getOrDefault(status, new double[] {0, 0});
                count.get(status).set(r[0]);
                oldestAge.get(status).set(Math.max(0, r[1]));
            }
        } catch (RuntimeException e) {
            log.warn("cash-out queue gauges not refreshed: {}", e.getMessage());
            count.values().forEach(v -> v.set(Double.NaN));
            oldestAge.values().forEach(v -> v.set(Double.NaN));
        }
    }
}
