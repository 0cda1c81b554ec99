package io.iploop.gateway.node;

import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.routing.Targeting;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the node for a customer stream (docs/product/proxy.md#targeting-parameters): filters
 * connected nodes by
 * {@code country}, {@code state}, {@code city} and {@code asn}; {@code rotating} gives a customer a
 * different node than its previous stream whenever more than one matches; {@code sticky} (and
 * {@code rotate-time}/{@code rotate-manual} with a session id) keeps the session's node for the
 * session lifetime and moves to another matching node when that one leaves, is paused or suspect,
 * or the lifetime ends (docs/product/proxy.md#sessions).
 * When nothing matches, the 503 names the nearest alternatives. Thread-safe.
 */
final class NodeSelector {

    private static final int MAX_ALTERNATIVES = 5;

    private final Map<UUID, NodeEntry> nodes;
    private final StickySessions sticky;
    private final Supplier<Set<UUID>> paused;
    private final Map<UUID, UUID> lastNodeByCustomer = new ConcurrentHashMap<>();
    private final AtomicInteger cursor = new AtomicInteger();

    /**
     * @param paused the nodes their operators paused, read on every selection (must be cheap): they
     *     are never candidates, so a sticky session on a paused node moves to another one
     */
    NodeSelector(Map<UUID, NodeEntry> nodes, StickySessions sticky, Supplier<Set<UUID>> paused) {
        this.nodes = nodes;
        this.sticky = sticky;
        this.paused = paused;
    }

    /**
     * @param avoid a node that just failed this request, to be skipped if any other matches
     * @throws ExitException {@code NO_MATCHING_EXIT} with alternatives when no node matches
     */
    NodeEntry select(ExitRequest request, @Nullable UUID avoid) {
        Targeting t = request.targeting();
        List<NodeEntry> candidates = candidates(t);
        if (candidates.isEmpty()) {
            throw new ExitException(ExitException.Failure.NO_MATCHING_EXIT, noMatchMessage(t), alternatives(t));
        }
        if (isSticky(t)) {
            return selectSticky(request, candidates, avoid);
        }
        return rotate(request.principal().userId(), candidates, avoid);
    }

    private static boolean isSticky(Targeting t) {
        return t.session() != null && (t.sessionType() == Targeting.SessionType.STICKY
                || t.rotate() == Targeting.RotateMode.TIME || t.rotate() == Targeting.RotateMode.MANUAL);
    }

    private NodeEntry selectSticky(ExitRequest request, List<NodeEntry> candidates, @Nullable UUID avoid) {
        Targeting t = request.targeting();
        StickySessions.Key key = new StickySessions.Key(request.principal().userId(), Objects.requireNonNull(t.session()));
        Instant now = Instant.now();
        StickySessions.Pin pin = sticky.get(key, now);
        if (pin != null && !pin.nodeId().equals(avoid)) {
            NodeEntry pinned = nodes.get(pin.nodeId());
            if (pinned != null && candidates.contains(pinned)) {
                return pinned;
            }
        }
        UUID previous = pin != null ? pin.nodeId() : sticky.previousNode(key);
        NodeEntry chosen = rotate(request.principal().userId(), candidates, avoid != null ? avoid : previous);
        // The plan's cap is already applied to the targeting at admission.
        sticky.pin(key, chosen.nodeId(), t.stickyLifetime(), now);
        return chosen;
    }

    /** Round robin over the candidates, skipping {@code avoid} and the customer's previous node when others exist. */
    private NodeEntry rotate(UUID customer, List<NodeEntry> candidates, @Nullable UUID avoid) {
        int n = candidates.size();
        UUID last = lastNodeByCustomer.get(customer);
        int start = Math.floorMod(cursor.getAndIncrement(), n);
        NodeEntry chosen = null;
        NodeEntry notAvoided = null;
        for (int i = 0; i < n && chosen == null; i++) {
            NodeEntry e = candidates.get((start + i) % n);
            if (e.nodeId().equals(avoid)) {
                continue;
            }
            if (!e.nodeId().equals(last)) {
                chosen = e;
            } else if (notAvoided == null) {
                notAvoided = e;
            }
        }
        if (chosen == null) {
            chosen = notAvoided != null ? notAvoided : candidates.get(start);
        }
        lastNodeByCustomer.put(customer, chosen.nodeId());
        return chosen;
    }

    /**
     * Connected, admitted nodes that match the targeting and can take a stream: not paused and not
     * suspect of being frozen (an OPEN left unanswered, docs/protocol.md §6).
     */
    List<NodeEntry> candidates(Targeting t) {
        List<NodeEntry> out = new ArrayList<>();
        Set<UUID> skip = paused.get();
        for (NodeEntry e : nodes.values()) {
            if (!skip.contains(e.nodeId()) && !e.session.isSuspect() && matches(e, t)) {
                out.add(e);
            }
        }
        return out;
    }

    static boolean matches(NodeEntry e, Targeting t) {
        if (t.country() != null && !t.country().equals(e.countryKey)) {
            return false;
        }
        if (t.state() != null && !Objects.equals(NodeEntry.placeKey(t.state()), e.regionKey)) {
            return false;
        }
        if (t.city() != null && !Objects.equals(NodeEntry.placeKey(t.city()), e.cityKey)) {
            return false;
        }
        return t.asn() == null || t.asn() == e.admission.asn();
    }

    private static String noMatchMessage(Targeting t) {
        StringBuilder sb = new StringBuilder("no exit node matches");
        if (t.country() != null) {
            sb.append(" country-").append(t.country());
        }
        if (t.state() != null) {
            sb.append(" state-").append(t.state());
        }
        if (t.city() != null) {
            sb.append(" city-").append(t.city());
        }
        if (t.asn() != null) {
            sb.append(" asn-").append(t.asn());
        }
        return sb.toString();
    }

    /**
     * The nearest targeting values that would match now, most nodes first: other countries when
     * the country has no node, else other states, cities or ASNs within it.
     */
    List<String> alternatives(Targeting t) {
        // Paused nodes are not alternatives: suggesting them would only lead to another 503.
        Set<UUID> skip = paused.get();
        Collection<NodeEntry> all = nodes.values().stream().filter(e -> !skip.contains(e.nodeId())).toList();
        if (t.country() != null && all.stream().noneMatch(e -> t.country().equals(e.countryKey))) {
            return top(all, e -> e.countryKey, "country-");
        }
        List<NodeEntry> inCountry = all.stream().filter(e -> t.country() == null || t.country().equals(e.countryKey)).toList();
        if (t.state() != null && inCountry.stream().noneMatch(e -> Objects.equals(NodeEntry.placeKey(t.state()), e.regionKey))) {
            return top(inCountry, e -> e.regionKey, "state-");
        }
        if (t.city() != null) {
            List<NodeEntry> inState = inCountry.stream()
                    .filter(e -> t.state() == null || Objects.equals(NodeEntry.placeKey(t.state()), e.regionKey)).toList();
            if (inState.stream().noneMatch(e -> Objects.equals(NodeEntry.placeKey(t.city()), e.cityKey))) {
                return top(inState, e -> e.cityKey, "city-");
            }
        }
        if (t.asn() != null) {
            return top(inCountry, e -> e.admission.asn() == 0 ? null : String.valueOf(e.admission.asn()), "asn-");
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
                .limit(MAX_ALTERNATIVES)
                .map(en -> prefix + en.getKey())
                .toList();
    }
}
