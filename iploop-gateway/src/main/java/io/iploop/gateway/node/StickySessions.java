package io.iploop.gateway.node;

import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.StickySessionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Sticky sessions (docs/product/proxy.md#sessions): which node a customer's session id is
 * pinned to and until when. A session lives for its lifetime from creation; after that, when
 * its node leaves, or when the customer closes it through the API, the next request picks a new
 * node. In memory, per gateway: a session is known only to the gateway instance that created it;
 * every change is also queued for the {@link StickySessionStore}, so the pins survive a restart
 * (docs/product/proxy.md#sessions-across-restarts).
 * Pins are held per account, so listing one account's sessions does not scan the others'.
 * Thread-safe: a pin is replaced whole; an account's map is created and dropped atomically.
 */
final class StickySessions {

    /** Identifies a session: sessions of different accounts never collide. */
    record Key(UUID userId, String session) {}

    /**
     * A pinned node and when the pin ends.
     *
     * @param pinnedAt when the session was pinned to this node
     * @param lifetime the lifetime it was pinned for (already capped by the plan)
     * @param targeting the targeting it was pinned under ({@link #targetingKey}), for the store
     */
    record Pin(UUID nodeId, Instant pinnedAt, Instant expiresAt, Duration lifetime, String targeting) {

        boolean live(Instant now) {
            return now.isBefore(expiresAt);
        }
    }

    /** Expired pins are kept this long, so the next node can differ from the expired one. */
    private static final Duration EXPIRED_MEMORY = Duration.ofMinutes(10);

    private final Map<UUID, Map<String, Pin>> pins = new ConcurrentHashMap<>();
    /** Bytes carried per pinned session since its pin, from usage records (not persisted). */
    private final Map<Key, LongAdder> bytes = new ConcurrentHashMap<>();
    /** Sessions whose pin changed since the last {@link #drainChanged}, for the store. */
    private final Set<Key> changed = ConcurrentHashMap.newKeySet();

    /** The targeting a pin was made under, as {@code name-value} pairs; empty when none. */
    static String targetingKey(Targeting t) {
        StringJoiner j = new StringJoiner("-");
        add(j, "country", t.country());
        add(j, "state", t.state());
        add(j, "city", t.city());
        add(j, "zip", t.zip());
        add(j, "asn", t.asn());
        add(j, "isp", t.isp());
        return j.toString();
    }

    private static void add(StringJoiner j, String name, @Nullable Object value) {
        if (value != null) {
            j.add(name).add(value.toString());
        }
    }

    /**
     * The changed pins since the last call (for {@link StickySessionStore#save}); a pin already
     * forgotten is left out (the store purges it by its expiry).
     */
    List<StickySessionStore.StoredPin> drainChanged() {
        List<StickySessionStore.StoredPin> out = new ArrayList<>();
        for (Key key : changed) {
            changed.remove(key);
            Pin p = find(key);
            if (p != null) {
                out.add(new StickySessionStore.StoredPin(key.userId(), key.session(), p.nodeId(), p.targeting(),
                        p.pinnedAt(), p.expiresAt(), p.lifetime()));
            }
        }
        return out;
    }

    /** Marks pins whose save failed as changed again, so the next batch retries them. */
    void changedAgain(List<StickySessionStore.StoredPin> failed) {
        for (StickySessionStore.StoredPin p : failed) {
            changed.add(new Key(p.userId(), p.sessionId()));
        }
    }

    /**
     * Restores pins loaded from the store at start; a pin already in memory (made since) wins.
     *
     * @return how many were restored
     */
    int restore(List<StickySessionStore.StoredPin> stored) {
        int n = 0;
        for (StickySessionStore.StoredPin s : stored) {
            Pin pin = new Pin(s.nodeId(), s.pinnedAt(), s.expiresAt(), s.lifetime(), s.targeting());
            bytes.putIfAbsent(new Key(s.userId(), s.sessionId()), new LongAdder());
            boolean[] added = {false};
            pins.compute(s.userId(), (u, mine) -> {
                Map<String, Pin> m = mine == null ? new ConcurrentHashMap<>() : mine;
                if (m.putIfAbsent(s.sessionId(), pin) == null) {
                    added[0] = true;
                }
                return m;
            });
            n += added[0] ? 1 : 0;
        }
        return n;
    }

    /**
     * Takes over a pin another gateway made (read from the shared store on a local miss,
     * docs/deploy.md#sticky-sessions-across-gateways) unless a live one is in memory. Not marked
     * changed: the store already holds it.
     *
     * @return the pin now in memory for its key
     */
    Pin adopt(StickySessionStore.StoredPin s, Instant now) {
        Pin pin = new Pin(s.nodeId(), s.pinnedAt(), s.expiresAt(), s.lifetime(), s.targeting());
        Pin[] kept = {pin};
        pins.compute(s.userId(), (u, mine) -> {
            Map<String, Pin> m = mine == null ? new ConcurrentHashMap<>() : mine;
            Pin old = m.get(s.sessionId());
            if (old != null && old.live(now)) {
                kept[0] = old;
            } else {
                m.put(s.sessionId(), pin);
                bytes.put(new Key(s.userId(), s.sessionId()), new LongAdder());
            }
            return m;
        });
        return kept[0];
    }

    private @Nullable Pin find(Key key) {
        Map<String, Pin> mine = pins.get(key.userId());
        return mine == null ? null : mine.get(key.session());
    }

    /** The live pin for {@code key}, or null if none or expired. */
    @Nullable Pin get(Key key, Instant now) {
        Pin pin = find(key);
        return pin == null || !pin.live(now) ? null : pin;
    }

    /** The node of an expired (or closed) pin for {@code key}, if still remembered, else null. */
    @Nullable UUID previousNode(Key key) {
        Pin pin = find(key);
        return pin == null ? null : pin.nodeId();
    }

    /** Pins {@code key} to {@code nodeId} for {@code lifetime} from now, without targeting. */
    Pin pin(Key key, UUID nodeId, Duration lifetime, Instant now) {
        return pin(key, nodeId, lifetime, now, "");
    }

    /** Pins {@code key} to {@code nodeId} for {@code lifetime} from now, made under {@code targeting}. */
    Pin pin(Key key, UUID nodeId, Duration lifetime, Instant now, String targeting) {
        Pin pin = new Pin(nodeId, now, now.plus(lifetime), lifetime, targeting);
        pins.compute(key.userId(), (u, mine) -> {
            Map<String, Pin> m = mine == null ? new ConcurrentHashMap<>() : mine;
            m.put(key.session(), pin);
            return m;
        });
        bytes.put(key, new LongAdder()); // a new pin starts counting afresh
        changed.add(key);
        return pin;
    }

    /**
     * Counts {@code n} bytes for the session when it is pinned (a usage record of one of its
     * streams); a session id without a pin (rotating) is not counted. Cheap: one map lookup.
     */
    void addBytes(Key key, long n) {
        if (n <= 0) {
            return;
        }
        LongAdder counter = bytes.get(key);
        if (counter != null) {
            counter.add(n);
        }
    }

    /** Bytes counted for {@code key} since it was last pinned to a node. */
    long bytes(Key key) {
        LongAdder counter = bytes.get(key);
        return counter == null ? 0 : counter.sum();
    }

    /** The account's live pins by session id, in no particular order. */
    List<Map.Entry<String, Pin>> live(UUID userId, Instant now) {
        Map<String, Pin> mine = pins.get(userId);
        List<Map.Entry<String, Pin>> out = new ArrayList<>();
        if (mine != null) {
            for (Map.Entry<String, Pin> e : mine.entrySet()) {
                if (e.getValue().live(now)) {
                    out.add(Map.entry(e.getKey(), e.getValue()));
                }
            }
        }
        return out;
    }

    /**
     * Ends a live pin now. Its node is remembered as the previous one, so the session's next
     * request goes to another matching node when there is one.
     *
     * @return false when {@code key} had no live pin
     */
    boolean close(Key key, Instant now) {
        boolean[] closed = {false};
        pins.computeIfPresent(key.userId(), (u, mine) -> {
            mine.computeIfPresent(key.session(), (s, pin) -> {
                if (!pin.live(now)) {
                    return pin;
                }
                closed[0] = true;
                return new Pin(pin.nodeId(), pin.pinnedAt(), now, pin.lifetime(), pin.targeting());
            });
            return mine;
        });
        if (closed[0]) {
            changed.add(key);
        }
        return closed[0];
    }

    /**
     * Extends a live pin to {@code now} plus its own lifetime, cut to {@code maxLifetime}; a pin
     * is never shortened.
     *
     * @return the extended pin, or null when {@code key} had no live pin
     */
    @Nullable Pin extend(Key key, Duration maxLifetime, Instant now) {
        Pin[] extended = new Pin[1];
        pins.computeIfPresent(key.userId(), (u, mine) -> {
            mine.computeIfPresent(key.session(), (s, pin) -> {
                if (!pin.live(now)) {
                    return pin;
                }
                Duration lifetime = pin.lifetime().compareTo(maxLifetime) > 0 ? maxLifetime : pin.lifetime();
                Instant until = now.plus(lifetime);
                Pin p = until.isAfter(pin.expiresAt())
                        ? new Pin(pin.nodeId(), pin.pinnedAt(), until, pin.lifetime(), pin.targeting()) : pin;
                extended[0] = p;
                return p;
            });
            return mine;
        });
        if (extended[0] != null) {
            changed.add(key);
        }
        return extended[0];
    }

    /** Forgets pins that expired more than ten minutes ago; called periodically. */
    void purgeExpired(Instant now) {
        for (UUID user : pins.keySet()) {
            pins.computeIfPresent(user, (u, mine) -> {
                mine.entrySet().removeIf(e -> {
                    boolean old = !now.isBefore(e.getValue().expiresAt().plus(EXPIRED_MEMORY));
                    if (old) {
                        bytes.remove(new Key(u, e.getKey()));
                    }
                    return old;
                });
                return mine.isEmpty() ? null : mine;
            });
        }
    }

    int size() {
        int n = 0;
        for (Map<String, Pin> mine : pins.values()) {
            n += mine.size();
        }
        return n;
    }
}
