package io.iploop.gateway.node;

import io.iploop.gateway.exit.ExitException;
import io.iploop.gateway.exit.ExitRequest;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.LocationKeys;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the node for a customer stream (docs/product/proxy.md#targeting-parameters,
 * docs/exit-quality.md#selection): among the connected nodes matching {@code country},
 * {@code state}, {@code city}, {@code asn}, {@code isp}, {@code zip}, {@code speed} and
 * {@code latency}, a node is drawn at random with a probability proportional to its quality
 * weight ({@link NodeQuality#weight()}), so better nodes carry more and new ones are still probed;
 * a node whose circuit breaker is open is skipped while another matches; a node whose allowed-ports
 * policy refuses the destination port is never a candidate (docs/node-agent.md#allowed-ports). {@code rotating} gives a
 * customer a different node than its previous stream whenever more than one matches; {@code sticky}
 * (and {@code rotate-time}/{@code rotate-manual} with a session id) keeps the session's node for the
 * session lifetime and moves to another matching node when that one leaves, is paused, suspect or
 * failing, or the lifetime ends (docs/product/proxy.md#sessions); {@code strict} keeps it too but
 * never moves a live session: it fails with {@code SESSION_EXIT_GONE} instead.
 *
 * <p>Cost per selection: the candidates come from the smallest matching {@link NodeIndex} bucket;
 * a bucket of up to {@value #SCAN_LIMIT} nodes is scanned (exact weights), a larger one is sampled
 * by rejection (a uniformly drawn node is taken with probability = its weight, at most
 * {@value #MAX_DRAWS} draws, exactly proportional); when no draw was taken the choice is weighted
 * among the fitting nodes drawn, and only when none fitted is the bucket scanned. When nothing matches, the 503 names the nearest alternatives. Thread-safe.
 */
final class NodeSelector {

    private static final int MAX_ALTERNATIVES = 5;
    /** Buckets up to this size are scanned whole. */
    static final int SCAN_LIMIT = 8;
    /** Random draws from a larger bucket before it is scanned. */
    static final int MAX_DRAWS = 128;

    private final Map<UUID, NodeEntry> nodes;
    private final NodeIndex index;
    private final StickySessions sticky;
    private final Supplier<Set<UUID>> paused;
    private final Supplier<RandomGenerator> random;
    private final Map<UUID, UUID> lastNodeByCustomer = new ConcurrentHashMap<>();

    /**
     * @param nodes the connected nodes by id (sticky pins, alternatives)
     * @param index the same nodes, indexed (selection)
     * @param paused the nodes their operators paused, read on every selection (must be cheap): they
     *     are never candidates, so a sticky session on a paused node moves to another one
     */
    NodeSelector(Map<UUID, NodeEntry> nodes, NodeIndex index, StickySessions sticky, Supplier<Set<UUID>> paused) {
        this(nodes, index, sticky, paused, ThreadLocalRandom::current);
    }

    /** @param random the random source of each selection (tests pass a seeded one) */
    NodeSelector(Map<UUID, NodeEntry> nodes, NodeIndex index, StickySessions sticky, Supplier<Set<UUID>> paused,
            Supplier<RandomGenerator> random) {
        this.nodes = nodes;
        this.index = index;
        this.sticky = sticky;
        this.paused = paused;
        this.random = random;
    }

    /**
     * @param avoid a node that just failed this request, to be skipped if any other matches
     * @throws ExitException {@code NO_MATCHING_EXIT} with alternatives when no node matches
     */
    NodeEntry select(ExitRequest request, @Nullable UUID avoid) {
        Targeting t = request.targeting();
        NodeEntry chosen;
        if (isSticky(t)) {
            chosen = selectSticky(request, avoid);
        } else {
            chosen = pick(t, request.port(), request.principal().userId(), avoid);
        }
        if (chosen == null) {
            throw new ExitException(ExitException.Failure.NO_MATCHING_EXIT, noMatchMessage(t, request.port()), alternatives(t));
        }
        return chosen;
    }

    /** Whether the request keeps its node for a session (sticky, or rotate-time/manual with a session id). */
    static boolean isSticky(Targeting t) {
        return t.session() != null && (t.sessionType().sticky()
                || t.rotate() == Targeting.RotateMode.TIME || t.rotate() == Targeting.RotateMode.MANUAL);
    }

    private @Nullable NodeEntry selectSticky(ExitRequest request, @Nullable UUID avoid) {
        Targeting t = request.targeting();
        StickySessions.Key key = new StickySessions.Key(request.principal().userId(), Objects.requireNonNull(t.session()));
        Instant now = Instant.now();
        StickySessions.Pin pin = sticky.get(key, now);
        if (pin != null) {
            NodeEntry pinned = nodes.get(pin.nodeId());
            if (!pin.nodeId().equals(avoid)) {
                long nanos = System.nanoTime();
                if (pinned != null && usable(pinned, Criteria.of(t, request.port()), paused.get())
                        && pinned.quality.available(nanos) && pinned.quality.tryAcquire(nanos)) {
                    return pinned;
                }
            }
            if (t.sessionType() == Targeting.SessionType.STICKY_STRICT) {
                // A strict session never moves while live (docs/product/proxy.md#sessions).
                throw new ExitException(ExitException.Failure.SESSION_EXIT_GONE, "the exit of strict session "
                        + key.session() + (pinned == null ? " has left" : " cannot serve it now")
                        + " (sesstype-strict never moves a live session; close it or let it expire for a new exit)");
            }
        }
        UUID previous = pin != null ? pin.nodeId() : sticky.previousNode(key);
        NodeEntry chosen = pick(t, request.port(), request.principal().userId(), avoid != null ? avoid : previous);
        if (chosen != null) {
            // The plan's cap is already applied to the targeting at admission.
            sticky.pin(key, chosen.nodeId(), t.stickyLifetime(), now, StickySessions.targetingKey(t));
        }
        return chosen;
    }

    /**
     * A matching node drawn by quality weight, preferring one that is neither {@code avoid} nor the
     * customer's previous node nor behind an open breaker; null when none matches.
     */
    private @Nullable NodeEntry pick(Targeting targeting, int port, UUID customer, @Nullable UUID avoid) {
        Criteria t = Criteria.of(targeting, port);
        NodeIndex.Bucket bucket = index.bucketFor(t);
        int n = bucket.size();
        if (n == 0) {
            return null;
        }
        Set<UUID> skip = paused.get();
        UUID last = lastNodeByCustomer.get(customer);
        RandomGenerator rnd = random.get();
        long now = System.nanoTime();
        NodeEntry chosen = null;
        if (n > SCAN_LIMIT) {
            // Rejection sampling: exactly proportional to weight among the fitting nodes drawn.
            NodeEntry[] seen = null;
            int seenCount = 0;
            for (int i = 0; i < MAX_DRAWS && chosen == null; i++) {
                NodeEntry e = bucket.random(rnd);
                if (e != null && usable(e, t, skip) && !e.nodeId().equals(avoid) && !e.nodeId().equals(last)
                        && e.quality.available(now)) {
                    if (rnd.nextDouble() < e.quality.weight() && e.quality.tryAcquire(now)) {
                        chosen = e;
                    } else {
                        if (seen == null) {
                            seen = new NodeEntry[MAX_DRAWS];
                        }
                        seen[seenCount++] = e;
                    }
                }
            }
            if (chosen == null && seen != null) {
                // Few fit and none was accepted: a weighted choice among those drawn, not a full scan.
                chosen = weighted(seen, seenCount, rnd, x -> true);
                if (chosen != null) {
                    chosen.quality.tryAcquire(now);
                }
            }
        }
        if (chosen == null) {
            chosen = scan(bucket.toArray(), t, skip, avoid, last, now, rnd);
        }
        if (chosen != null) {
            lastNodeByCustomer.put(customer, chosen.nodeId());
        }
        return chosen;
    }

    /**
     * Exact weighted choice over {@code all}, in tiers: usable nodes that are not {@code avoid}, not
     * {@code last} and not behind an open breaker; else {@code last}; else any usable node (the
     * avoided one or one behind an open breaker is better than no exit at all).
     */
    private static @Nullable NodeEntry scan(NodeEntry[] all, Criteria t, Set<UUID> skip, @Nullable UUID avoid,
            @Nullable UUID last, long now, RandomGenerator rnd) {
        int m = 0;
        NodeEntry[] usable = new NodeEntry[all.length];
        for (NodeEntry e : all) {
            if (usable(e, t, skip)) {
                usable[m++] = e;
            }
        }
        if (m == 0) {
            return null;
        }
        NodeEntry e = weighted(usable, m, rnd, x -> !x.nodeId().equals(avoid) && !x.nodeId().equals(last) && x.quality.available(now));
        if (e == null) {
            e = weighted(usable, m, rnd, x -> !x.nodeId().equals(avoid) && x.quality.available(now));
        }
        if (e == null) {
            e = weighted(usable, m, rnd, x -> true);
        }
        if (e != null) {
            e.quality.tryAcquire(now);
        }
        return e;
    }

    private static @Nullable NodeEntry weighted(NodeEntry[] es, int m, RandomGenerator rnd, Predicate<NodeEntry> ok) {
        double[] w = new double[m];
        double sum = 0;
        for (int i = 0; i < m; i++) {
            w[i] = ok.test(es[i]) ? es[i].quality.weight() : 0;
            sum += w[i];
        }
        if (sum <= 0) {
            return null;
        }
        double r = rnd.nextDouble() * sum;
        NodeEntry lastOk = null;
        for (int i = 0; i < m; i++) {
            if (w[i] > 0) {
                lastOk = es[i];
                r -= w[i];
                if (r < 0) {
                    return es[i];
                }
            }
        }
        return lastOk;
    }

    /**
     * A connected, admitted node that matches the targeting and can take a stream: not paused and
     * not suspect of being frozen (an OPEN left unanswered, docs/protocol.md §6).
     */
    private static boolean usable(NodeEntry e, Criteria t, Set<UUID> skip) {
        return !e.session.isSuspect() && t.matches(e) && (skip.isEmpty() || !skip.contains(e.nodeId()));
    }

    private String noMatchMessage(Targeting t, int port) {
        StringBuilder sb = new StringBuilder("no exit node matches");
        if (refusedByPortPolicy(t, port)) {
            sb.append(" port ").append(port).append(" (exit nodes allow only the ports their operators chose)");
        }
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
        if (t.isp() != null) {
            sb.append(" isp-").append(t.isp());
        }
        if (t.zip() != null) {
            sb.append(" zip-").append(t.zip());
        }
        if (t.minSpeedMbps() != null) {
            sb.append(" speed >= ").append(t.minSpeedMbps()).append(" Mbit/s");
        }
        if (t.maxLatencyMillis() != null) {
            sb.append(" latency <= ").append(t.maxLatencyMillis()).append(" ms");
        }
        return sb.toString();
    }

    /**
     * Whether some node that matches the targeting refuses {@code port} by its policy: then the port
     * is why nothing matched, and the customer is told. Only on the no-match path; scans the
     * smallest matching index bucket, not every node.
     */
    private boolean refusedByPortPolicy(Targeting t, int port) {
        Criteria any = Criteria.of(t);
        for (NodeEntry e : index.bucketFor(any).toArray()) {
            if (!e.allowedPorts.allows(port) && any.matches(e)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The nearest targeting values that would match now, most nodes first: other countries when
     * the country has no node, else other states, cities or ASNs within it. Only on the no-match
     * path, and from the index (docs/scale.md#selection): counts per key are bucket sizes less the
     * paused nodes of that key, and only the targeted country's (or state's) nodes are scanned, so
     * a {@code -country-XX} miss never touches another country's nodes. Paused nodes are not
     * alternatives: suggesting them would only lead to another 503.
     */
    List<String> alternatives(Targeting t) {
        Set<UUID> skip = paused.get();
        if (t.country() != null && available(NodeIndex.Kind.COUNTRY, t.country(), skip) == 0) {
            return topOfKind(NodeIndex.Kind.COUNTRY, skip, "country-");
        }
        // The targeted country's serving nodes; null: no country targeted (every node, counted from the index).
        List<NodeEntry> inCountry = t.country() == null ? null : serving(index.bucket(NodeIndex.Kind.COUNTRY, t.country()), skip);
        String state = LocationKeys.name(t.state());
        if (t.state() != null) {
            boolean none = inCountry == null
                    ? state == null || available(NodeIndex.Kind.REGION, state, skip) == 0
                    : inCountry.stream().noneMatch(e -> Objects.equals(state, e.regionKey));
            if (none) {
                return inCountry == null ? topOfKind(NodeIndex.Kind.REGION, skip, "state-") : top(inCountry, e -> e.regionKey, "state-");
            }
        }
        if (t.city() != null) {
            String city = LocationKeys.name(t.city());
            List<NodeEntry> inState;
            if (t.state() == null) {
                inState = inCountry;
            } else if (inCountry != null) {
                inState = inCountry.stream().filter(e -> Objects.equals(state, e.regionKey)).toList();
            } else {
                inState = state == null ? List.of() : serving(index.bucket(NodeIndex.Kind.REGION, state), skip);
            }
            boolean none = inState == null
                    ? city == null || available(NodeIndex.Kind.CITY, city, skip) == 0
                    : inState.stream().noneMatch(e -> Objects.equals(city, e.cityKey));
            if (none) {
                return inState == null ? topOfKind(NodeIndex.Kind.CITY, skip, "city-") : top(inState, e -> e.cityKey, "city-");
            }
        }
        if (t.asn() != null) {
            return inCountry == null ? topOfKind(NodeIndex.Kind.ASN, skip, "asn-")
                    : top(inCountry, e -> e.admission.asn() == 0 ? null : String.valueOf(e.admission.asn()), "asn-");
        }
        if (t.isp() != null) {
            return inCountry == null ? topOfKind(NodeIndex.Kind.ISP, skip, "isp-") : top(inCountry, e -> e.ispKey, "isp-");
        }
        return List.of();
    }

    /** Nodes of {@code key} in dimension {@code kind} that are not paused: its bucket size less its paused nodes. */
    private int available(NodeIndex.Kind kind, Object key, Set<UUID> skip) {
        int n = index.bucket(kind, key).size();
        for (UUID id : skip) {
            NodeEntry e = nodes.get(id);
            if (e != null && key.equals(NodeIndex.key(e, kind))) {
                n--;
            }
        }
        return n;
    }

    private static List<NodeEntry> serving(NodeIndex.Bucket bucket, Set<UUID> skip) {
        NodeEntry[] all = bucket.toArray();
        if (skip.isEmpty()) {
            return Arrays.asList(all);
        }
        return Arrays.stream(all).filter(e -> !skip.contains(e.nodeId())).toList();
    }

    /** The most populated keys of {@code kind} over every node, from bucket sizes less paused nodes. */
    private List<String> topOfKind(NodeIndex.Kind kind, Set<UUID> skip, String prefix) {
        Map<String, Integer> counts = new TreeMap<>();
        index.buckets(kind).forEach((key, bucket) -> {
            int n = bucket.size();
            if (n > 0) {
                counts.merge(key.toString(), n, Integer::sum);
            }
        });
        for (UUID id : skip) {
            NodeEntry e = nodes.get(id);
            Object key = e == null ? null : NodeIndex.key(e, kind);
            if (key != null) {
                counts.computeIfPresent(key.toString(), (k, n) -> n > 1 ? n - 1 : null);
            }
        }
        return ranked(counts, prefix);
    }

    private static List<String> top(Collection<NodeEntry> entries, Function<NodeEntry, @Nullable String> value, String prefix) {
        Map<String, Integer> counts = new TreeMap<>();
        for (NodeEntry e : entries) {
            String v = value.apply(e);
            if (v != null) {
                counts.merge(v, 1, Integer::sum);
            }
        }
        return ranked(counts, prefix);
    }

    private static List<String> ranked(Map<String, Integer> counts, String prefix) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(MAX_ALTERNATIVES)
                .map(en -> prefix + en.getKey())
                .toList();
    }
}
