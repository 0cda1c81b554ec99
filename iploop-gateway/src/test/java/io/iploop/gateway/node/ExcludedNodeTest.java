package io.iploop.gateway.node;

import static io.iploop.gateway.node.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link ExitRequest#excludeNode()} (the {@code rotate-on-block} retry, docs/rotate-on-block.md#retry)
 * through the real {@link NodeExitConnector} and {@link NodeSelector}: the excluded node is never
 * sent an OPEN, not even when it is the only match, the sticky session's node, or the choice of the
 * connector's own retry after a failed OPEN.
 */
class ExcludedNodeTest {

    private final Map<UUID, NodeEntry> nodes = new ConcurrentHashMap<>();
    private final NodeIndex index = new NodeIndex();
    private final StickySessions sticky = new StickySessions();
    private final SplittableRandom random = new SplittableRandom(20261203);
    private final NodeSelector selector = new NodeSelector(nodes, index, sticky, Set::of, () -> random);
    private final NodeExitConnector connector = new NodeExitConnector(selector, cause -> {});

    private NodeEntry join(NodeEntry e) {
        nodes.put(e.nodeId(), e);
        index.add(e);
        return e;
    }

    private static ExitRequest request(UUID customer, Targeting t, UUID exclude) {
        return new ExitRequest(new CustomerPrincipal(customer, "cust", UUID.randomUUID()), t, "example.com", 80, 1, exclude);
    }

    private static Targeting onBlock(@Nullable String session) {
        return new Targeting("US", null, null, null, null, null, session,
                session == null ? Targeting.SessionType.ROTATING : Targeting.SessionType.STICKY, null,
                Targeting.RotateMode.ON_BLOCK, null, null, null, false);
    }

    @Test
    void theOnlyMatchingNodeIsRefusedWhenExcluded() {
        NodeEntry only = join(node("US"));
        CompletableFuture<?> f = connector.open(request(UUID.randomUUID(), onBlock(null), only.nodeId()));
        assertThat(f).isCompletedExceptionally();
        assertThat(f.exceptionNow()).isInstanceOfSatisfying(ExitException.class, e -> {
            assertThat(e.failure()).isEqualTo(ExitException.Failure.NO_MATCHING_EXIT);
            assertThat(e.getMessage()).isEqualTo("no other exit node matches");
        });
        assertThat(only.requests.get()).as("no OPEN sent to it").isZero();
    }

    @Test
    void anotherMatchingNodeIsAlwaysTakenAndTheExcludedOneNeverOpened() throws Exception {
        NodeEntry blocked = join(node("US"));
        NodeEntry other = join(node("US"));
        // Fewer streams than the breaker's threshold (5 failures), so the other node stays a full candidate.
        for (int i = 0; i < 4; i++) {
            // The nodes of these tests never connected: the OPEN fails at once, and the connector's
            // own retry (which avoids the failed node) must not fall back to the excluded one.
            connector.open(request(new UUID(1, i), onBlock(null), blocked.nodeId())).handle((s, e) -> null)
                    .get(5, TimeUnit.SECONDS);
        }
        assertThat(blocked.requests.get()).isZero();
        assertThat(other.requests.get()).isEqualTo(4);
    }

    @Test
    void aStickySessionOnTheExcludedNodeMovesToAnother() throws Exception {
        NodeEntry blocked = join(node("US"));
        NodeEntry other = join(node("US"));
        UUID customer = UUID.randomUUID();
        sticky.pin(new StickySessions.Key(customer, "s1"), blocked.nodeId(), Duration.ofMinutes(10), Instant.now());
        connector.open(request(customer, onBlock("s1"), blocked.nodeId())).handle((s, e) -> null).get(5, TimeUnit.SECONDS);
        assertThat(blocked.requests.get()).isZero();
        assertThat(other.requests.get()).isEqualTo(1);
    }
}
