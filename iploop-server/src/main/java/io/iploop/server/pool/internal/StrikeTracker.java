package io.iploop.server.pool.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The strike system as seen from goproxy's control reports (docs/upstream-pool.md#goproxy-compatible-hooks):
 * an account reported above its thread limit continuously for {@code strikeAfter} is locked out for
 * {@code lockout}; a report at or under the limit clears the strike. State lives in this process
 * (a migration aid for one goproxy fleet; the gateway keeps its own). Thread-safe.
 */
final class StrikeTracker {

    private final Duration strikeAfter;
    private final Duration lockout;
    private final Map<String, Instant> overSince = new ConcurrentHashMap<>();
    private final Map<String, Instant> lockedUntil = new ConcurrentHashMap<>();

    StrikeTracker(Duration strikeAfter, Duration lockout) {
        this.strikeAfter = strikeAfter;
        this.lockout = lockout;
    }

    /**
     * Records one report of {@code account}'s open connections.
     *
     * @return true when the account is locked out now (its connections are to be kicked)
     */
    boolean report(String account, int connections, int maxThreads, Instant now) {
        if (lockedUntil(account, now) != null) {
            return true;
        }
        if (maxThreads <= 0 || connections <= maxThreads) {
            overSince.remove(account);
            return false;
        }
        Instant since = overSince.computeIfAbsent(account, a -> now);
        if (Duration.between(since, now).compareTo(strikeAfter) >= 0) {
            overSince.remove(account);
            lockedUntil.put(account, now.plus(lockout));
            return true;
        }
        return false;
    }

    /** When the account's lockout ends, or null if it is not locked out at {@code now}. */
    @Nullable Instant lockedUntil(String account, Instant now) {
        Instant until = lockedUntil.get(account);
        if (until == null) {
            return null;
        }
        if (!now.isBefore(until)) {
            lockedUntil.remove(account, until);
            return null;
        }
        return until;
    }
}
