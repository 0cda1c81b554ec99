package io.iploop.gateway.node;

import static io.iploop.gateway.node.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Sticky pins per account: listing, closing (next selection avoids the closed node), extending within a cap. */
class StickySessionsTest {

    private static final Instant T0 = Instant.parse("2026-12-03T08:00:00Z");
    private final StickySessions sticky = new StickySessions();
    private final UUID alice = UUID.randomUUID();
    private final UUID bob = UUID.randomUUID();
    private final UUID node = UUID.randomUUID();

    @Test
    void listsOnlyTheAccountsLivePins() {
        sticky.pin(new StickySessions.Key(alice, "a1"), node, Duration.ofMinutes(10), T0);
        sticky.pin(new StickySessions.Key(alice, "old"), node, Duration.ofSeconds(5), T0.minusSeconds(60));
        sticky.pin(new StickySessions.Key(bob, "b1"), node, Duration.ofMinutes(10), T0);

        assertThat(sticky.live(alice, T0)).extracting(Map.Entry::getKey).containsExactly("a1");
        assertThat(sticky.live(bob, T0)).extracting(Map.Entry::getKey).containsExactly("b1");
        assertThat(sticky.live(UUID.randomUUID(), T0)).isEmpty();
    }

    @Test
    void closingEndsThePinButRemembersItsNode() {
        StickySessions.Key key = new StickySessions.Key(alice, "a1");
        sticky.pin(key, node, Duration.ofMinutes(10), T0);

        assertThat(sticky.close(new StickySessions.Key(bob, "a1"), T0)).isFalse();
        assertThat(sticky.get(key, T0)).isNotNull();
        assertThat(sticky.close(key, T0.plusSeconds(1))).isTrue();
        assertThat(sticky.get(key, T0.plusSeconds(1))).isNull();
        assertThat(sticky.previousNode(key)).isEqualTo(node);
        assertThat(sticky.close(key, T0.plusSeconds(2))).isFalse();
        assertThat(sticky.live(alice, T0.plusSeconds(2))).isEmpty();
    }

    @Test
    void extendingRestartsTheLifetimeWithinTheCapAndNeverShortens() {
        StickySessions.Key key = new StickySessions.Key(alice, "a1");
        sticky.pin(key, node, Duration.ofMinutes(10), T0);

        Instant later = T0.plus(Duration.ofMinutes(8));
        assertThat(sticky.extend(key, Duration.ofHours(1), later).expiresAt()).isEqualTo(later.plus(Duration.ofMinutes(10)));
        // A lower cap (plan downgraded) cuts the extension, but never below the current expiry.
        assertThat(sticky.extend(key, Duration.ofMinutes(5), later.plusSeconds(1)).expiresAt())
                .isEqualTo(later.plus(Duration.ofMinutes(10)));
        assertThat(sticky.extend(key, Duration.ofMinutes(5), later.plus(Duration.ofMinutes(7))).expiresAt())
                .isEqualTo(later.plus(Duration.ofMinutes(12)));
        assertThat(sticky.extend(new StickySessions.Key(bob, "a1"), Duration.ofHours(1), later)).isNull();
        assertThat(sticky.extend(key, Duration.ofHours(1), T0.plus(Duration.ofHours(1)))).isNull();
    }

    @Test
    void purgingDropsLongExpiredPinsAndEmptyAccounts() {
        sticky.pin(new StickySessions.Key(alice, "a1"), node, Duration.ofSeconds(1), T0);
        sticky.pin(new StickySessions.Key(bob, "b1"), node, Duration.ofHours(1), T0);
        sticky.purgeExpired(T0.plus(Duration.ofMinutes(11)));
        assertThat(sticky.size()).isEqualTo(1);
        assertThat(sticky.previousNode(new StickySessions.Key(alice, "a1"))).isNull();
    }

    @Test
    void aClosedSessionsNextRequestGetsAnotherMatchingNode() {
        Map<UUID, NodeEntry> nodes = new ConcurrentHashMap<>();
        NodeIndex index = new NodeIndex();
        for (int i = 0; i < 3; i++) {
            NodeEntry e = node("DE", "Berlin", "Berlin", 3320, "Deutsche Telekom AG", null);
            nodes.put(e.nodeId(), e);
            index.add(e);
        }
        SplittableRandom random = new SplittableRandom(20261203);
        NodeSelector selector = new NodeSelector(nodes, index, sticky, Set::of, () -> random);
        for (int i = 0; i < 50; i++) {
            UUID customer = new UUID(1, i);
            ExitRequest r = new ExitRequest(new CustomerPrincipal(customer, "cust", UUID.randomUUID()),
                    new Targeting("DE", null, null, null, null, null, "s" + i, Targeting.SessionType.STICKY, null, null, null,
                            null, null, false),
                    "example.com", 443, 1);
            NodeEntry first = selector.select(r, null);
            assertThat(selector.select(r, null)).isSameAs(first);
            assertThat(sticky.close(new StickySessions.Key(customer, "s" + i), Instant.now())).isTrue();
            NodeEntry next = selector.select(r, null);
            assertThat(next).isNotSameAs(first);
            assertThat(selector.select(r, null)).isSameAs(next);
        }
    }
}
