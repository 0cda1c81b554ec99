package io.iploop.gateway.node;

import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.tunnel.Hello;
import io.iploop.tunnel.TunnelSession;
import io.iploop.tunnel.TunnelSettings;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Node selection time at scale (docs/exit-quality.md#selection; target: p99 ≤ 50 µs at 100 000
 * nodes). Builds {@code --nodes} simulated nodes (no network: gateway-side sessions that never
 * connected) over 60 countries with a skewed share, 2 000 cities, 800 ASNs and ISPs, most with
 * measured quality and 1 % behind an open breaker, then times single selections through the real
 * {@link NodeSelector} and {@link NodeIndex} for a mix of targetings, and node join plus leave.
 * Prints Markdown. In this package because the selector is package-private; run by
 * {@code iploop-bench/selection-bench.sh}.
 *
 * <pre>selection-bench.sh [--nodes=100000] [--selections=1000000] [--seed=1]</pre>
 */
public final class SelectionBench {

    private static final int COUNTRIES = 60;
    private static final int CITIES = 2_000;
    private static final int ASNS = 800;

    private SelectionBench() {}

    public static void main(String[] args) {
        int nodeCount = 100_000;
        int selections = 1_000_000;
        long seed = 1;
        for (String a : args) {
            if (a.startsWith("--nodes=")) {
                nodeCount = Integer.parseInt(a.substring(8));
            } else if (a.startsWith("--selections=")) {
                selections = Integer.parseInt(a.substring(13));
            } else if (a.startsWith("--seed=")) {
                seed = Long.parseLong(a.substring(7));
            } else {
                throw new IllegalArgumentException("unknown argument: " + a + " (expected: --nodes=N --selections=N --seed=N)");
            }
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<UUID, NodeEntry> nodes = new ConcurrentHashMap<>();
        NodeIndex index = new NodeIndex();
        NodeSelector selector = new NodeSelector(nodes, index, new StickySessions(), Set::of);
        long[] joinLeave = new long[nodeCount];
        for (int i = 0; i < nodeCount; i++) {
            NodeEntry e = simulated(rnd);
            long t0 = System.nanoTime();
            nodes.put(e.nodeId(), e);
            index.add(e);
            joinLeave[i] = System.nanoTime() - t0;
        }

        Map<String, Targeting> mix = new LinkedHashMap<>();
        mix.put("none (all nodes)", targeting(null, null, null, null, null));
        mix.put("country (skewed)", targeting("C", null, null, null, null));
        mix.put("city", targeting(null, "city", null, null, null));
        mix.put("asn", targeting(null, null, 1, null, null));
        mix.put("country + speed-fast", targeting("C", null, null, 10, null));
        mix.put("country + latency-low", targeting("C", null, null, null, 500));
        String[] names = mix.keySet().toArray(String[]::new);
        long[][] times = new long[names.length][selections / names.length + 1];
        int[] counts = new int[names.length];
        int failures = 0;
        UUID[] customers = new UUID[1_000];
        for (int i = 0; i < customers.length; i++) {
            customers[i] = new UUID(rnd.nextLong(), rnd.nextLong());
        }
        for (int pass = 0; pass < 2; pass++) {
            boolean warmUp = pass == 0;
            Arrays.fill(counts, 0);
            failures = 0;
            for (int i = 0; i < selections; i++) {
                int k = i % names.length;
                Targeting t = concrete(mix.get(names[k]), rnd);
                ExitRequest r = new ExitRequest(new CustomerPrincipal(customers[rnd.nextInt(customers.length)], "c", customers[0]),
                        t, "example.com", 443, i);
                long t0 = System.nanoTime();
                try {
                    selector.select(r, null);
                } catch (RuntimeException e) {
                    failures++;
                }
                long dt = System.nanoTime() - t0;
                if (!warmUp) {
                    times[k][counts[k]++] = dt;
                }
            }
        }

        // Misses (503 with alternatives, docs/scale.md#selection): timed apart, fewer of them, as a
        // miss used to scan every node.
        Map<String, Targeting> misses = new LinkedHashMap<>();
        misses.put("miss: country + unknown city", new Targeting("C", null, "nowhere", null, null, null, null,
                Targeting.SessionType.ROTATING, null, null, null, null, null, false));
        misses.put("miss: unknown country", new Targeting("ZZ", null, null, null, null, null, null,
                Targeting.SessionType.ROTATING, null, null, null, null, null, false));
        int missCount = Math.max(1, Math.min(200, selections / 1_000));
        Map<String, long[]> missTimes = new LinkedHashMap<>();
        for (Map.Entry<String, Targeting> m : misses.entrySet()) {
            long[] ts = new long[missCount];
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < missCount; i++) {
                    Targeting t = m.getValue();
                    if ("C".equals(t.country())) {
                        t = new Targeting(country(rnd), null, "nowhere", null, null, null, null, Targeting.SessionType.ROTATING,
                                null, null, null, null, null, false);
                    }
                    ExitRequest r = new ExitRequest(new CustomerPrincipal(customers[i % customers.length], "c", customers[0]), t,
                            "example.com", 443, i);
                    long t0 = System.nanoTime();
                    try {
                        selector.select(r, null);
                    } catch (RuntimeException e) {
                        // expected: no match
                    }
                    ts[i] = System.nanoTime() - t0;
                }
            }
            missTimes.put(m.getKey(), ts);
        }

        // Leave and re-join 10 000 nodes (churn).
        NodeEntry[] sample = index.bucketFor(Targeting.NONE).toArray();
        int churn = Math.min(10_000, sample.length);
        long[] churnTimes = new long[churn];
        for (int i = 0; i < churn; i++) {
            NodeEntry gone = sample[i];
            NodeEntry back = simulated(rnd);
            long t0 = System.nanoTime();
            index.remove(gone);
            nodes.remove(gone.nodeId());
            nodes.put(back.nodeId(), back);
            index.add(back);
            churnTimes[i] = System.nanoTime() - t0;
        }

        System.out.printf(Locale.ROOT, "## Node selection at %,d simulated nodes (%,d timed selections, %s, %d cores)%n%n",
                nodeCount, selections, Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println("| targeting | selections | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        long[] allTimes = new long[0];
        for (int k = 0; k < names.length; k++) {
            long[] ts = Arrays.copyOf(times[k], counts[k]);
            row(names[k], ts);
            long[] merged = Arrays.copyOf(allTimes, allTimes.length + ts.length);
            System.arraycopy(ts, 0, merged, allTimes.length, ts.length);
            allTimes = merged;
        }
        row("**all**", allTimes);
        missTimes.forEach(SelectionBench::row);
        row("join (index add)", joinLeave);
        row("leave + join (churn)", churnTimes);
        long[] sorted = allTimes.clone();
        Arrays.sort(sorted);
        double p99 = percentile(sorted, 0.99) / 1e3;
        System.out.printf(Locale.ROOT, "%nno match (503): %,d of %,d; target p99 <= 50 µs: %s (%.2f µs)%n", failures, selections,
                p99 <= 50 ? "met" : "NOT met", p99);
    }

    private static void row(String name, long[] ts) {
        long[] s = ts.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "| %s | %,d | %.2f | %.2f | %.2f | %.2f | %.2f |%n", name, s.length,
                percentile(s, 0.50) / 1e3, percentile(s, 0.90) / 1e3, percentile(s, 0.99) / 1e3, percentile(s, 0.999) / 1e3,
                s.length == 0 ? 0 : s[s.length - 1] / 1e3);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
    }

    private static Targeting targeting(String country, String city, Integer asn, Integer speed, Integer latency) {
        return new Targeting(country, null, city, null, asn, null, null, Targeting.SessionType.ROTATING, null, null, null,
                speed, latency, false);
    }

    /** Fills placeholders with a value drawn as the nodes were (popular countries more often). */
    private static Targeting concrete(Targeting t, SplittableRandom rnd) {
        return new Targeting(t.country() == null ? null : country(rnd), null, t.city() == null ? null : "city_" + rnd.nextInt(CITIES),
                null, t.asn() == null ? null : 1 + rnd.nextInt(ASNS), null, null, Targeting.SessionType.ROTATING, null, null, null,
                t.minSpeedMbps(), t.maxLatencyMillis(), false);
    }

    /** Country {@code C0}-{@code C59}-like ISO codes with a skew: the first few hold most nodes. */
    private static String country(SplittableRandom rnd) {
        int i = (int) Math.min(COUNTRIES - 1, Math.floor(-Math.log(1 - rnd.nextDouble()) * 8));
        return Locale.getISOCountries()[i];
    }

    private static NodeEntry simulated(SplittableRandom rnd) {
        TunnelSession session = TunnelSession.gatewaySide(TunnelSettings.DEFAULTS, new TunnelSession.GatewayListener() {
            @Override
            public void onHello(TunnelSession s, Hello hello) {}

            @Override
            public void onClosed(TunnelSession s) {}
        });
        UUID id = new UUID(rnd.nextLong(), rnd.nextLong());
        String country = country(rnd);
        String city = "city_" + rnd.nextInt(CITIES);
        int asn = 1 + rnd.nextInt(ASNS);
        String isp = "isp " + asn;
        Hello hello = new Hello(2, "k", "d" + id, null, null, null, country, null, city, asn, isp, "wifi", false);
        NodeEntry e = new NodeEntry(session, new NodeAdmission.Admitted(id, id, country, null, city, asn, isp, "wifi", null),
                hello, "192.0.2.1", false, new NodeQuality());
        if (rnd.nextInt(10) < 8) {
            // Measured: success 50-100 %, TTFB 80-2500 ms, throughput 0.5-100 Mbit/s (log-uniform).
            double share = 0.5 + rnd.nextDouble() / 2;
            double ttfb = 80 + rnd.nextDouble() * 2420;
            double mbps = 0.5 * Math.pow(200, rnd.nextDouble());
            for (int s = 0; s < 10; s++) {
                if (rnd.nextDouble() < share) {
                    e.quality.openSucceeded();
                } else {
                    e.quality.failed(NodeQuality.Cause.TIMEOUT, 0);
                }
                e.quality.firstByte((long) (ttfb * 1e6));
                e.quality.transferred(1 << 20, (long) ((1 << 20) * 8_000.0 / mbps));
            }
        }
        if (rnd.nextInt(100) == 0) {
            long now = System.nanoTime();
            for (int s = 0; s < NodeQuality.BREAKER_FAILURES; s++) {
                e.quality.failed(NodeQuality.Cause.UNAVAILABLE, now + TimeUnit.HOURS.toNanos(1));
            }
        }
        return e;
    }
}
