package io.iploop.gateway.node;

import static io.iploop.gateway.node.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.StickySessionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

    /** docs/product/proxy.md#sessions-across-restarts: every change reaches the store once; a new hub restores it. */
    @Test
    void changesAreDrainedForTheStoreAndRestoredByAnotherInstance() {
        StickySessions.Key a1 = new StickySessions.Key(alice, "a1");
        StickySessions.Key b1 = new StickySessions.Key(bob, "b1");
        sticky.pin(a1, node, Duration.ofMinutes(10), T0, "country-DE");
        sticky.pin(b1, node, Duration.ofMinutes(10), T0);
        sticky.close(b1, T0.plusSeconds(5));
        List<StickySessionStore.StoredPin> batch = sticky.drainChanged();
        assertThat(batch).extracting(StickySessionStore.StoredPin::sessionId).containsExactlyInAnyOrder("a1", "b1");
        assertThat(batch).filteredOn(p -> p.sessionId().equals("a1")).singleElement()
                .satisfies(p -> {
                    assertThat(p.targeting()).isEqualTo("country-DE");
                    assertThat(p.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
                });
        assertThat(batch).filteredOn(p -> p.sessionId().equals("b1")).singleElement()
                .satisfies(p -> assertThat(p.expiresAt()).as("closed: expiry is the close").isEqualTo(T0.plusSeconds(5)));
        assertThat(sticky.drainChanged()).as("drained once").isEmpty();
        sticky.changedAgain(batch);
        assertThat(sticky.drainChanged()).hasSize(2);

        StickySessions restarted = new StickySessions();
        assertThat(restarted.restore(batch)).isEqualTo(2);
        assertThat(restarted.get(a1, T0.plusSeconds(1))).isNotNull()
                .satisfies(p -> assertThat(p.nodeId()).isEqualTo(node));
        assertThat(restarted.get(b1, T0.plusSeconds(6))).isNull();
        assertThat(restarted.drainChanged()).as("restoring is not a change").isEmpty();
    }

    @Test
    void bytesAreCountedPerPinnedSessionAndStartAfreshWithANewPin() {
        StickySessions.Key a1 = new StickySessions.Key(alice, "a1");
        sticky.addBytes(a1, 100);
        assertThat(sticky.bytes(a1)).as("no pin, no counter").isZero();
        sticky.pin(a1, node, Duration.ofMinutes(10), T0);
        sticky.addBytes(a1, 100);
        sticky.addBytes(a1, 23);
        sticky.addBytes(new StickySessions.Key(bob, "a1"), 1000);
        assertThat(sticky.bytes(a1)).isEqualTo(123);
        sticky.extend(a1, Duration.ofHours(1), T0.plusSeconds(60));
        assertThat(sticky.bytes(a1)).isEqualTo(123);
        sticky.pin(a1, UUID.randomUUID(), Duration.ofMinutes(10), T0.plus(Duration.ofMinutes(30)));
        assertThat(sticky.bytes(a1)).isZero();
    }

    /** docs/product/proxy.md#sessions: a strict session fails instead of moving; a sticky one moves. */
    @Test
    void aStrictSessionDoesNotMoveWhenItsNodeLeaves() {
        Map<UUID, NodeEntry> nodes = new ConcurrentHashMap<>();
        NodeIndex index = new NodeIndex();
        for (int i = 0; i < 2; i++) {
            NodeEntry e = node("DE", "Berlin", "Berlin", 3320, "Deutsche Telekom AG", null);
            nodes.put(e.nodeId(), e);
            index.add(e);
        }
        NodeSelector selector = new NodeSelector(nodes, index, sticky, Set::of, () -> new SplittableRandom(7));
        UUID customer = UUID.randomUUID();
        ExitRequest strict = request(customer, "st", Targeting.SessionType.STICKY_STRICT);
        NodeEntry pinned = selector.select(strict, null);
        ExitRequest moving = request(customer, "mv", Targeting.SessionType.STICKY);
        sticky.pin(new StickySessions.Key(customer, "mv"), pinned.nodeId(), Duration.ofMinutes(10), Instant.now());
        assertThat(selector.select(strict, null)).isSameAs(pinned);

        nodes.remove(pinned.nodeId());
        index.remove(pinned);
        assertThatThrownBy(() -> selector.select(strict, null)).isInstanceOfSatisfying(ExitException.class,
                e -> {
                    assertThat(e.failure()).isEqualTo(ExitException.Failure.SESSION_EXIT_GONE);
                    assertThat(e.getMessage()).contains("st").contains("has left");
                });
        assertThat(selector.select(moving, null)).isNotSameAs(pinned);
    }

    private static ExitRequest request(UUID customer, String session, Targeting.SessionType type) {
        return new ExitRequest(new CustomerPrincipal(customer, "cust", null),
                new Targeting("DE", null, null, null, null, null, session, type, null, null, null, null, null, false),
                "example.com", 443, 1);
    }
}
