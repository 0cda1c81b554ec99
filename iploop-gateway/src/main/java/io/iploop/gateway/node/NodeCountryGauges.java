package io.iploop.gateway.node;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The gauge {@code iploop.nodes.connected} (tag {@code country}, {@code unknown} for a node
 * without one): connected nodes per country, kept by one increment per join and one decrement per
 * leave, so churn costs O(1) per event instead of a recount of every node (docs/scale.md). A
 * country's gauge is registered the first time a node of it joins and stays (at 0 once its last
 * node left). Thread-safe: any thread may join and leave at once.
 */
final class NodeCountryGauges {

    static final String NAME = "iploop.nodes.connected";
    private static final String UNKNOWN = "unknown";

    private final MeterRegistry meters;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    NodeCountryGauges(MeterRegistry meters) {
        this.meters = meters;
    }

    /** One more connected node of {@code country} (null: unknown). */
    void joined(@Nullable String country) {
        counter(country).incrementAndGet();
    }

    /** One connected node of {@code country} fewer (null: unknown). */
    void left(@Nullable String country) {
        counter(country).decrementAndGet();
    }

    /** The counts now, by country tag, countries whose count is 0 left out. */
    Map<String, Integer> snapshot() {
        Map<String, Integer> out = new TreeMap<>();
        counts.forEach((c, n) -> {
            int v = n.get();
            if (v != 0) {
                out.put(c, v);
            }
        });
        return out;
    }

    private AtomicInteger counter(@Nullable String country) {
        String key = country == null ? UNKNOWN : country;
        AtomicInteger n = counts.get(key);
        if (n != null) {
            return n;
        }
        // computeIfAbsent runs the registration once per country even when threads race for it.
        return counts.computeIfAbsent(key, k -> {
            AtomicInteger c = new AtomicInteger();
            Gauge.builder(NAME, c, AtomicInteger::get)
                    .description("Node agents connected to this gateway, by country")
                    .tag("country", k)
                    .strongReference(true)
                    .register(meters);
            return c;
        });
    }
}
