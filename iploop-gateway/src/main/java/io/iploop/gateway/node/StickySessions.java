package io.iploop.gateway.node;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Sticky sessions (docs/product/proxy.md#sessions): which node a customer's session id is
 * pinned to and until when. A session lives for its lifetime from creation; after that, or when
 * its node leaves, the next request picks a new node. In memory, per gateway: a session is known
 * only to the gateway instance that created it. Thread-safe.
 */
final class StickySessions {

    /** Identifies a session: sessions of different accounts never collide. */
    record Key(UUID userId, String session) {}

    /** A pinned node and when the pin ends. */
    record Pin(UUID nodeId, Instant expiresAt) {}

    /** Expired pins are kept this long, so the next node can differ from the expired one. */
    private static final Duration EXPIRED_MEMORY = Duration.ofMinutes(10);

    private final Map<Key, Pin> pins = new ConcurrentHashMap<>();

    /** The live pin for {@code key}, or null if none or expired. */
    @Nullable Pin get(Key key, Instant now) {
        Pin pin = pins.get(key);
        return pin == null || !now.isBefore(pin.expiresAt()) ? null : pin;
    }

    /** The node of an expired pin for {@code key}, if still remembered, else null. */
    @Nullable UUID previousNode(Key key) {
        Pin pin = pins.get(key);
        return pin == null ? null : pin.nodeId();
    }

    /** Pins {@code key} to {@code nodeId} for {@code lifetime} from now. */
    Pin pin(Key key, UUID nodeId, Duration lifetime, Instant now) {
        Pin pin = new Pin(nodeId, now.plus(lifetime));
        pins.put(key, pin);
        return pin;
    }

    /** Forgets pins that expired more than ten minutes ago; called periodically. */
    void purgeExpired(Instant now) {
        pins.values().removeIf(p -> !now.isBefore(p.expiresAt().plus(EXPIRED_MEMORY)));
    }

    int size() {
        return pins.size();
    }
}
