package io.iploop.gateway.node;

import static io.iploop.gateway.node.TestNodes.measured;
import static io.iploop.gateway.node.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.tunnel.PortPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Selection among indexed nodes: matching only, weighted by quality (statistically, fixed seed), breaker, rotation. */
class NodeSelectorTest {

    private final Map<UUID, NodeEntry> nodes = new ConcurrentHashMap<>();
    private final NodeIndex index = new NodeIndex();
    private final SplittableRandom random = new SplittableRandom(20261203);
    private final NodeSelector selector = new NodeSelector(nodes, index, new StickySessions(), Set::of, () -> random);

    private NodeEntry join(NodeEntry e) {
        nodes.put(e.nodeId(), e);
        index.add(e);
        return e;
    }

    private static Targeting targeting(String country, String city, String isp, String zip, Integer speed, Integer latency) {
        return new Targeting(country, null, city, zip, null, isp, null, Targeting.SessionType.ROTATING, null, null, null,
                speed, latency, false);
    }

    private static ExitRequest request(Targeting t, UUID customer) {
        return new ExitRequest(new CustomerPrincipal(customer, "cust", UUID.randomUUID()), t, "example.com", 443, 1);
    }

    /** Selections by a fresh customer each (no previous node to rotate away from). */
    private Map<NodeEntry, Integer> draw(Targeting t, int times) {
        Map<NodeEntry, Integer> counts = new HashMap<>();
        for (int i = 0; i < times; i++) {
            counts.merge(selector.select(request(t, new UUID(0, i)), null), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void choosesOnlyAmongMatchingNodes() {
        NodeEntry berlinFast = join(measured(node("DE", "Berlin", "Berlin", 3320, "Deutsche Telekom AG", "10115"), 20, 1, 150, 40));
        NodeEntry berlinSlow = join(measured(node("DE", "Berlin", "Berlin", 3209, "Vodafone GmbH", "10117"), 20, 1, 900, 1));
        NodeEntry fresh = join(node("DE", "Berlin", "Berlin", 3320, "Deutsche Telekom AG", null));
        NodeEntry paris = join(node("FR", "Ile-de-France", "Paris", 3215, "Orange", "75001"));

        assertThat(draw(targeting("DE", null, null, null, null, null), 300).keySet()).containsExactlyInAnyOrder(berlinFast, berlinSlow, fresh);
        assertThat(draw(targeting(null, null, "deutsche_telekom_ag", null, null, null), 300).keySet()).containsExactlyInAnyOrder(berlinFast, fresh);
        assertThat(draw(targeting(null, null, null, "10117", null, null), 50).keySet()).containsExactly(berlinSlow);
        assertThat(draw(targeting(null, "paris", null, null, null, null), 50).keySet()).containsExactly(paris);
        // Speed and latency use measured figures only: the fresh node has none yet.
        assertThat(draw(targeting(null, null, null, null, 10, null), 100).keySet()).containsExactly(berlinFast);
        assertThat(draw(targeting("DE", null, null, null, null, 500), 100).keySet()).containsExactly(berlinFast);
        assertThat(draw(targeting("DE", null, null, null, 1, 1000), 300).keySet()).containsExactlyInAnyOrder(berlinFast, berlinSlow);

        assertThatThrownBy(() -> selector.select(request(targeting("FR", null, null, null, 10, null), UUID.randomUUID()), null))
                .isInstanceOfSatisfying(ExitException.class, e -> {
                    assertThat(e.failure()).isEqualTo(ExitException.Failure.NO_MATCHING_EXIT);
                    assertThat(e.getMessage()).contains("country-FR").contains("speed >= 10 Mbit/s");
                });
        assertThatThrownBy(() -> selector.select(request(targeting("US", null, null, null, null, null), UUID.randomUUID()), null))
                .isInstanceOfSatisfying(ExitException.class, e -> assertThat(e.alternatives()).contains("country-DE", "country-FR"));
    }

    @Test
    void placesWithAccentsAndPunctuationAreTargetedWithTheLettersTargetingAccepts() {
        NodeEntry paris = join(node("FR", "Île-de-France", "Paris", 3215, "Orange S.A.", "75001"));
        NodeEntry saoPaulo = join(node("BR", "São Paulo", "São Paulo", 28573, "Claro NXT", "01310"));
        NodeEntry stLouis = join(node("US", "Missouri", "St. Louis", 7018, "AT&T Services, Inc.", "63101"));

        Targeting ileDeFrance = new Targeting("FR", "ile_de_france", null, null, null, null, null, Targeting.SessionType.ROTATING,
                null, null, null, null, null, false);
        assertThat(draw(ileDeFrance, 20).keySet()).containsExactly(paris);
        assertThat(draw(targeting("BR", "sao_paulo", null, null, null, null), 20).keySet()).containsExactly(saoPaulo);
        assertThat(draw(targeting("US", "st_louis", null, null, null, null), 20).keySet()).containsExactly(stLouis);
        assertThat(draw(targeting(null, null, "orange_s_a", null, null, null), 20).keySet()).containsExactly(paris);
    }

    @Test
    void aSmallPoolIsDrawnInProportionToQualityWeights() {
        NodeEntry good = join(measured(node("DE"), 30, 1, 100, 100));
        NodeEntry fresh = join(node("DE"));
        NodeEntry poor = join(measured(node("DE"), 40, 0.5, 2500, 1));
        assertThat(good.quality.score()).isEqualTo(100);
        assertThat(fresh.quality.score()).isEqualTo(74);
        assertThat(poor.quality.score()).isLessThan(50);
        assertProportional(draw(Targeting.NONE, 60_000), List.of(good, fresh, poor), 60_000, 0.01);
    }

    @Test
    void aLargePoolIsSampledInProportionToQualityWeights() {
        List<NodeEntry> all = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            all.add(join(measured(node("US"), 30, 1, 100, 100)));
            all.add(join(measured(node("US"), 40, 0.5, 2500, 1)));
            all.add(join(node("US")));
        }
        assertThat(all.size()).isGreaterThan(NodeSelector.SCAN_LIMIT);
        Map<NodeEntry, Integer> counts = draw(Targeting.NONE, 60_000);
        // Per class (good, poor, fresh), the share drawn matches the share of the total weight.
        double total = all.stream().mapToDouble(e -> e.quality.weight()).sum();
        for (int k = 0; k < 3; k++) {
            int cls = k;
            double expected = 0;
            int got = 0;
            for (int i = cls; i < all.size(); i += 3) {
                expected += all.get(i).quality.weight() / total;
                got += counts.getOrDefault(all.get(i), 0);
            }
            assertThat(got / 60_000.0).as("class %d", cls).isCloseTo(expected, within(0.01));
        }
    }

    private static void assertProportional(Map<NodeEntry, Integer> counts, List<NodeEntry> pool, int times, double tolerance) {
        double total = pool.stream().mapToDouble(e -> e.quality.weight()).sum();
        for (NodeEntry e : pool) {
            assertThat(counts.getOrDefault(e, 0) / (double) times).as("share of score %d", e.quality.score())
                    .isCloseTo(e.quality.weight() / total, within(tolerance));
        }
    }

    @Test
    void aNodeBehindAnOpenBreakerIsSkippedWhileAnotherMatchesThenProbedOnce() {
        NodeEntry failing = join(node("DE"));
        NodeEntry other = join(node("FR"));
        long now = System.nanoTime();
        for (int i = 0; i < NodeQuality.BREAKER_FAILURES; i++) {
            failing.quality.failed(NodeQuality.Cause.UNAVAILABLE, now);
        }
        assertThat(failing.quality.breakerState(now)).isEqualTo(NodeQuality.BreakerState.OPEN);
        assertThat(draw(Targeting.NONE, 200).keySet()).containsExactly(other);
        // When nothing else matches, a failing exit is better than none.
        assertThat(draw(targeting("DE", null, null, null, null, null), 5).keySet()).containsExactly(failing);
    }

    @Test
    void rotatingStreamsOfOneCustomerChangeNode() {
        for (int i = 0; i < 3; i++) {
            join(node("DE"));
        }
        for (int i = 0; i < 3; i++) {
            join(measured(node("DE"), 20, 1, 100, 100));
        }
        UUID customer = UUID.randomUUID();
        NodeEntry previous = null;
        for (int i = 0; i < 200; i++) {
            NodeEntry e = selector.select(request(Targeting.NONE, customer), null);
            assertThat(e).isNotSameAs(previous);
            previous = e;
        }
        NodeEntry avoided = selector.select(request(Targeting.NONE, customer), null);
        for (int i = 0; i < 50; i++) {
            assertThat(selector.select(request(Targeting.NONE, UUID.randomUUID()), avoided.nodeId())).isNotSameAs(avoided);
        }
    }

    @Test
    void aLeftNodeIsNeverChosen() {
        NodeEntry stays = join(node("DE"));
        NodeEntry leaves = join(node("DE"));
        index.remove(leaves);
        nodes.remove(leaves.nodeId());
        assertThat(draw(Targeting.NONE, 100).keySet()).containsExactly(stays);
    }

    private static NodeEntry allowing(NodeEntry e, PortPolicy ports) {
        return new NodeEntry(e.session, e.admission, e.hello.withAllowedPorts(ports), e.remoteAddress, e.localExit, new NodeQuality());
    }

    private ExitRequest toPort(int port, UUID customer) {
        return new ExitRequest(new CustomerPrincipal(customer, "cust", UUID.randomUUID()), Targeting.NONE, "example.com", port, 1);
    }

    /** docs/node-agent.md#allowed-ports: a node whose policy refuses the port is never chosen, scanned or sampled. */
    @Test
    void aNodeWhosePortPolicyRefusesTheTargetIsNeverChosen() {
        List<NodeEntry> web = new ArrayList<>();
        for (int i = 0; i < NodeSelector.SCAN_LIMIT * 4; i++) {
            web.add(join(allowing(node("DE"), PortPolicy.WEB)));
        }
        NodeEntry open = join(node("DE"));
        for (int i = 0; i < 200; i++) {
            assertThat(selector.select(toPort(22, new UUID(1, i)), null)).isSameAs(open);
        }
        Set<NodeEntry> forWeb = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            forWeb.add(selector.select(toPort(443, new UUID(2, i)), null));
        }
        assertThat(forWeb).as("port 443: every node is a candidate").hasSizeGreaterThan(web.size() / 2);

        index.remove(open);
        nodes.remove(open.nodeId());
        assertThatThrownBy(() -> selector.select(toPort(22, UUID.randomUUID()), null))
                .isInstanceOfSatisfying(ExitException.class, e -> {
                    assertThat(e.failure()).isEqualTo(ExitException.Failure.NO_MATCHING_EXIT);
                    assertThat(e.getMessage()).contains("port 22");
                });
    }
}
