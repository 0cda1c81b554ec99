package io.iploop.gateway.node;

import static io.iploop.gateway.node.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.LocationKeys;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.jspecify.annotations.Nullable;

/**
 * Selection through the location index equals a full scan of every node (docs/scale.md#selection),
 * on random populations (countries, states, cities, ASNs, ISPs, some unknown; some paused; some
 * left again) and random targetings: a node is chosen exactly when the full scan finds a usable
 * match, the chosen node is one of those, and the alternatives of a miss are those a full scan
 * names.
 */
class NodeLocationIndexPropertiesTest {

    private static final String[] COUNTRIES = {"US", "DE", "FR", null};
    private static final String[] T_COUNTRIES = {"US", "DE", "FR", "BR", null, null};
    private static final String[] STATES = {"Bavaria", "New York", "Texas", null};
    private static final String[] T_STATES = {"bavaria", "new_york", "texas", "ontario", null, null, null};
    private static final String[] CITIES = {"Munich", "New York", "Austin", "Paris", null};
    private static final String[] T_CITIES = {"munich", "new_york", "austin", "paris", "lyon", null, null, null};
    private static final int[] ASNS = {0, 3320, 7922, 3215};
    private static final Integer[] T_ASNS = {3320, 7922, 3215, 64500, null, null, null, null};
    private static final String[] ISPS = {"Deutsche Telekom AG", "Comcast", "Orange", null};
    private static final String[] T_ISPS = {"deutsche_telekom_ag", "comcast", "orange", "free", null, null, null, null};

    private static <T> T pick(T[] values, SplittableRandom rnd) {
        return values[rnd.nextInt(values.length)];
    }

    @Property(tries = 400)
    void indexedSelectionAndAlternativesEqualAFullScan(@ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<UUID, NodeEntry> nodes = new ConcurrentHashMap<>();
        NodeIndex index = new NodeIndex();
        Set<UUID> paused = new HashSet<>();
        NodeSelector selector = new NodeSelector(nodes, index, new StickySessions(), () -> paused, () -> rnd);
        int population = rnd.nextInt(0, 60);
        List<NodeEntry> joined = new ArrayList<>();
        for (int i = 0; i < population; i++) {
            NodeEntry e = node(pick(COUNTRIES, rnd), pick(STATES, rnd), pick(CITIES, rnd), ASNS[rnd.nextInt(ASNS.length)],
                    pick(ISPS, rnd), null);
            nodes.put(e.nodeId(), e);
            index.add(e);
            joined.add(e);
            if (rnd.nextInt(8) == 0) {
                paused.add(e.nodeId());
            }
        }
        for (NodeEntry e : joined) {
            if (rnd.nextInt(10) == 0) { // left again
                index.remove(e);
                nodes.remove(e.nodeId());
            }
        }
        for (int k = 0; k < 20; k++) {
            Targeting t = new Targeting(pick(T_COUNTRIES, rnd), pick(T_STATES, rnd), pick(T_CITIES, rnd), null,
                    pick(T_ASNS, rnd), pick(T_ISPS, rnd), null, Targeting.SessionType.ROTATING, null, null, null, null, null,
                    false);
            Criteria c = Criteria.of(t, 443);
            Set<NodeEntry> matches = new HashSet<>();
            for (NodeEntry e : nodes.values()) {
                if (!paused.contains(e.nodeId()) && c.matches(e)) {
                    matches.add(e);
                }
            }
            ExitRequest request = new ExitRequest(new CustomerPrincipal(new UUID(seed, k), "c", UUID.randomUUID()), t,
                    "example.com", 443, k);
            NodeEntry chosen = null;
            List<String> alternatives = null;
            try {
                chosen = selector.select(request, null);
            } catch (ExitException e) {
                alternatives = e.alternatives();
            }
            if (matches.isEmpty()) {
                assertThat(chosen).as("no node matches %s", t).isNull();
                assertThat(alternatives).as("alternatives for %s", t).isEqualTo(fullScanAlternatives(nodes.values(), paused, t));
            } else {
                assertThat(chosen).as("a match exists for %s", t).isNotNull();
                assertThat(matches).contains(chosen);
            }
            assertThat(selector.alternatives(t)).isEqualTo(fullScanAlternatives(nodes.values(), paused, t));
        }
    }

    /** The alternatives as computed before the index: a scan of every node (the oracle). */
    private static List<String> fullScanAlternatives(Collection<NodeEntry> nodes, Set<UUID> skip, Targeting t) {
        Collection<NodeEntry> all = nodes.stream().filter(e -> !skip.contains(e.nodeId())).toList();
        if (t.country() != null && all.stream().noneMatch(e -> t.country().equals(e.countryKey))) {
            return top(all, e -> e.countryKey, "country-");
        }
        List<NodeEntry> inCountry = all.stream().filter(e -> t.country() == null || t.country().equals(e.countryKey)).toList();
        if (t.state() != null && inCountry.stream().noneMatch(e -> Objects.equals(LocationKeys.name(t.state()), e.regionKey))) {
            return top(inCountry, e -> e.regionKey, "state-");
        }
        if (t.city() != null) {
            List<NodeEntry> inState = inCountry.stream()
                    .filter(e -> t.state() == null || Objects.equals(LocationKeys.name(t.state()), e.regionKey)).toList();
            if (inState.stream().noneMatch(e -> Objects.equals(LocationKeys.name(t.city()), e.cityKey))) {
                return top(inState, e -> e.cityKey, "city-");
            }
        }
        if (t.asn() != null) {
            return top(inCountry, e -> e.admission.asn() == 0 ? null : String.valueOf(e.admission.asn()), "asn-");
        }
        if (t.isp() != null) {
            return top(inCountry, e -> e.ispKey, "isp-");
        }
        return List.of();
    }

    private static List<String> top(Collection<NodeEntry> entries, Function<NodeEntry, @Nullable String> value, String prefix) {
        Map<String, Integer> counts = new TreeMap<>();
        for (NodeEntry e : entries) {
            String v = value.apply(e);
            if (v != null) {
                counts.merge(v, 1, Integer::sum);
            }
        }
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(5)
                .map(en -> prefix + en.getKey())
                .toList();
    }
}
