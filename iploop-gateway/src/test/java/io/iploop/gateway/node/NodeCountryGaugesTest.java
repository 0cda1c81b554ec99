package io.iploop.gateway.node;

import static io.iploop.gateway.node.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.tunnel.TunnelSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-country gauge {@code iploop.nodes.connected} kept incrementally by the hub's join and
 * leave (docs/scale.md): equal to a recount after any interleaving of concurrent joins, leaves,
 * leaves before joins and repeated leaves.
 */
class NodeCountryGaugesTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final NodeHub hub = new NodeHub("127.0.0.1", 0, TunnelSettings.DEFAULTS,
            hello -> CompletableFuture.completedFuture(new NodeAdmission.Refused("no")), NodeStore.NONE, meters);

    @AfterEach
    void close() {
        hub.close();
    }

    private double gauge(String country) {
        Gauge g = meters.find(NodeCountryGauges.NAME).tag("country", country).gauge();
        return g == null ? 0 : g.value();
    }

    @Test
    void joinAndLeaveMoveOnlyTheirCountry() {
        NodeEntry de1 = node("DE");
        NodeEntry de2 = node("DE");
        NodeEntry none = node(null);
        hub.index(de1);
        hub.index(de2);
        hub.index(none);
        hub.index(de1); // a second join of the same session counts once
        assertThat(gauge("DE")).isEqualTo(2);
        assertThat(gauge("unknown")).isEqualTo(1);
        hub.unindex(de1);
        hub.unindex(de1);
        assertThat(gauge("DE")).isEqualTo(1);
        hub.index(de1);
        assertThat(gauge("DE")).as("a node that left is not counted again").isEqualTo(1);
        assertThat(hub.connectedByCountry()).containsExactlyInAnyOrderEntriesOf(Map.of("DE", 1, "unknown", 1));
    }

    @Test
    void concurrentJoinsAndLeavesEqualARecount() throws Exception {
        String[] countries = {"DE", "US", "FR", "BR", null};
        List<NodeEntry> entries = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            entries.add(node(countries[i % countries.length]));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    // Each node joined by one thread and left (for two thirds) by another, in racing order;
                    // some leave before they join, some leave twice.
                    for (int i = thread; i < entries.size(); i += 8) {
                        NodeEntry e = entries.get(i);
                        if (i % 7 == 0) {
                            hub.unindex(e);
                        }
                        hub.index(e);
                    }
                    for (int i = (thread + 3) % 8; i < entries.size(); i += 8) {
                        if (i % 3 != 0) {
                            hub.unindex(entries.get(i));
                            hub.unindex(entries.get(i));
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, Integer> recount = new HashMap<>();
        for (NodeEntry e : entries) {
            if (e.indexState == NodeEntry.INDEXED) {
                recount.merge(e.countryKey == null ? "unknown" : e.countryKey, 1, Integer::sum);
            }
        }
        assertThat(recount).isNotEmpty();
        assertThat(hub.connectedByCountry()).containsExactlyInAnyOrderEntriesOf(recount);
        for (Map.Entry<String, Integer> c : recount.entrySet()) {
            assertThat(gauge(c.getKey())).as(c.getKey()).isEqualTo(c.getValue().doubleValue());
        }
    }
}
