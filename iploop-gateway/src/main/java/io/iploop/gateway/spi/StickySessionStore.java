package io.iploop.gateway.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Durable sticky-session pins (docs/product/proxy.md#sessions-across-restarts), so a session keeps
 * its exit when the gateway restarts. The gateway never calls it from an event loop nor per
 * request: {@link #load} once at start, {@link #save} with the pins that changed about once a
 * second and {@link #purgeExpired} about once a minute, all from the node hub's store thread. May
 * block; must be thread-safe. A failing call is logged and retried with the next batch; the pins in
 * memory stay authoritative.
 */
public interface StickySessionStore {

    /**
     * One pin.
     *
     * @param userId the account (users.id)
     * @param sessionId the customer's session id, 1-64 of {@code [A-Za-z0-9_]}
     * @param nodeId the exit node the session is pinned to
     * @param targeting the targeting the pin was made under, {@code name-value} pairs
     *     ({@code country-DE-city-berlin}), empty when none; informational
     * @param pinnedAt when the session was pinned to this node
     * @param expiresAt when the pin ends (a closed session's is the time it was closed)
     * @param lifetime the lifetime it was created with (the length of an extension)
     */
    record StoredPin(UUID userId, String sessionId, UUID nodeId, String targeting, Instant pinnedAt, Instant expiresAt,
            Duration lifetime) {}

    /** Keeps nothing: sessions live in memory only (a gateway without a database). */
    StickySessionStore NONE = new StickySessionStore() {
        @Override
        public List<StoredPin> load(Instant now) {
            return List.of();
        }

        @Override
        public void save(List<StoredPin> pins) {}

        @Override
        public void purgeExpired(Instant now) {}
    };

    /** The pins whose expiry is after {@code now}. */
    List<StoredPin> load(Instant now);

    /** Inserts or replaces each pin (one per account and session id), all or none. */
    void save(List<StoredPin> pins);

    /** Deletes the pins that expired at or before {@code now}. */
    void purgeExpired(Instant now);

    /**
     * The stored pin of one session, for a gateway that has none in memory: in a cluster a session
     * pinned on another gateway (docs/deploy.md#sticky-sessions-across-gateways). Must not block:
     * answers asynchronously, empty when there is none or the store keeps none (the default).
     * Completes exceptionally when the store cannot be reached.
     */
    default CompletionStage<Optional<StoredPin>> find(UUID userId, String sessionId) {
        return CompletableFuture.completedFuture(Optional.empty());
    }
}
