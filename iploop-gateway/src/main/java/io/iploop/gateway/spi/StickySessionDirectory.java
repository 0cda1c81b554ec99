package io.iploop.gateway.spi;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The sticky sessions alive on this gateway, per account (docs/product/proxy.md#sessions). A
 * session is identified by its account and the customer's session id, so one account can never
 * see, close or extend another's. Reads and writes the same in-memory pins the proxy path uses,
 * adding nothing to the proxy path. Thread-safe.
 */
public interface StickySessionDirectory {

    /** A directory without sessions (a gateway without node hub). */
    StickySessionDirectory NONE = new StickySessionDirectory() {
        @Override
        public List<StickySession> list(UUID userId) {
            return List.of();
        }

        @Override
        public boolean close(UUID userId, String sessionId) {
            return false;
        }

        @Override
        public @Nullable StickySession extend(UUID userId, String sessionId, Duration maxLifetime) {
            return null;
        }
    };

    /**
     * The account's sticky sessions that are live now and whose node is still connected, ordered
     * by session id.
     */
    List<StickySession> list(UUID userId);

    /**
     * Ends a live session now: the session's next request gets a new exit, another matching node
     * than the closed one whenever one matches.
     *
     * @return false when the account has no live session with this id
     */
    boolean close(UUID userId, String sessionId);

    /**
     * Extends a live session to now plus the lifetime it was created with, cut to
     * {@code maxLifetime} (the plan's cap); a session is never shortened.
     *
     * @param maxLifetime positive
     * @return the session as extended, or null when the account has no live session with this id
     *     or its node has left
     */
    @Nullable StickySession extend(UUID userId, String sessionId, Duration maxLifetime);
}
