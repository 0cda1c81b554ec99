package io.iploop.server.ledger.internal;

import io.iploop.server.ledger.LedgerCurrency;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Ledger consistency as Prometheus gauges (docs/deploy.md#metrics), off the request path: every
 * {@code iploop.ops.metrics-refresh} (60 s by default) one aggregate query per table, whose result
 * the gauges serve until the next refresh. Per currency ({@code CREDIT}, {@code USD}, {@code EUR}),
 * in that currency's units:
 * <ul>
 *   <li>{@code iploop_ledger_imbalance{currency}}: the sum of every entry; a double-entry ledger
 *       sums to zero (DESIGN.md section 5), so anything else means an entry was written around
 *       the posting service;</li>
 *   <li>{@code iploop_ledger_balance_drift{currency}}: the sum of the stored account balances
 *       minus the sum of entries; non-zero when a stored balance was changed without an entry.
 *       Which account drifted, the admin consistency report says
 *       ({@code GET /api/admin/ledger/consistency}).</li>
 * </ul>
 * Each instance refreshes its own gauges (two sequential scans a minute; no lock needed because
 * nothing is written). A failed refresh sets the gauges to NaN until the next success. Thread-safe.
 */
@Component
public class LedgerMetrics {

    private static final Logger log = LoggerFactory.getLogger(LedgerMetrics.class);

    private final JdbcClient jdbc;
    private final Map<LedgerCurrency, AtomicReference<Double>> imbalance = new EnumMap<>(LedgerCurrency.class);
    private final Map<LedgerCurrency, AtomicReference<Double>> drift = new EnumMap<>(LedgerCurrency.class);

    LedgerMetrics(JdbcClient jdbc, MeterRegistry registry) {
        this.jdbc = jdbc;
        for (LedgerCurrency c : LedgerCurrency.values()) {
            AtomicReference<Double> i = new AtomicReference<>(Double.NaN);
            AtomicReference<Double> d = new AtomicReference<>(Double.NaN);
            imbalance.put(c, i);
            drift.put(c, d);
            Gauge.builder("iploop.ledger.imbalance", i, AtomicReference::get).tag("currency", c.name())
                    .description("sum of all ledger entries in the currency; must be 0").register(registry);
            Gauge.builder("iploop.ledger.balance.drift", d, AtomicReference::get).tag("currency", c.name())
                    .description("sum of stored account balances minus sum of entries in the currency; must be 0")
                    .register(registry);
        }
    }

    /** Re-reads both sums now; called by the scheduler, and by tests. Never throws. */
    @Scheduled(initialDelayString = "10s", fixedDelayString = "${iploop.ops.metrics-refresh:60s}")
    public void refresh() {
        try {
            Map<LedgerCurrency, BigDecimal> entries = sums(
                    "SELECT currency, sum(amount) AS total FROM ledger_entries GROUP BY currency");
            Map<LedgerCurrency, BigDecimal> balances = sums(
                    "SELECT currency, sum(balance) AS total FROM ledger_accounts GROUP BY currency");
            for (LedgerCurrency c : LedgerCurrency.values()) {
                BigDecimal e = entries.getOrDefault(c, BigDecimal.ZERO);
                BigDecimal b = balances.getOrDefault(c, BigDecimal.ZERO);
                imbalance.get(c).set(e.doubleValue());
                drift.get(c).set(b.subtract(e).doubleValue());
            }
        } catch (RuntimeException e) {
            log.warn("ledger consistency gauges not refreshed: {}", e.getMessage());
            for (LedgerCurrency c : LedgerCurrency.values()) {
                imbalance.get(c).set(Double.NaN);
                drift.get(c).set(Double.NaN);
            }
        }
    }

    private Map<LedgerCurrency, BigDecimal> sums(String sql) {
        Map<LedgerCurrency, BigDecimal> out = new EnumMap<>(LedgerCurrency.class);
        jdbc.sql(sql).query((rs, n) -> out.put(LedgerCurrency.valueOf(rs.getString("currency")), rs.getBigDecimal("total")))
                .list();
        return out;
    }
}
