package io.iploop.server.accounts.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code login_throttle}: failed-login counters in a fixed window per key, and the time
 * until which a key is locked (docs/product/accounts.md#brute-force-protection). State is in PostgreSQL, so it holds across
 * restarts and instances; the upsert is atomic under concurrent failures. Thread-safe.
 */
@Repository
class LoginThrottleRepository {

    private final JdbcClient jdbc;

    LoginThrottleRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Until when {@code key} is locked, if it is now. */
    Optional<Instant> lockedUntil(String key) {
        return jdbc.sql("SELECT locked_until FROM login_throttle WHERE throttle_key = :key AND locked_until > now()")
                .param("key", key)
                .query((rs, n) -> rs.getTimestamp(1).toInstant())
                .optional();
    }

    /**
     * Counts one failure for {@code key} in the current window (a new window starts once the old
     * one is older than {@code window}); at {@code maxFailures} the key is locked for
     * {@code lockFor} and its count starts over.
     *
     * @return until when the key is now locked, or null
     */
    @Nullable Instant recordFailure(String key, int maxFailures, Duration window, Duration lockFor) {
        int failures = jdbc.sql("""
                        INSERT INTO login_throttle AS t (throttle_key, failures, window_start) VALUES (:key, 1, now())
                        ON CONFLICT (throttle_key) DO UPDATE SET
                            failures = CASE WHEN t.window_start < now() - make_interval(secs => :window)
                                            THEN 1 ELSE t.failures + 1 END,
                            window_start = CASE WHEN t.window_start < now() - make_interval(secs => :window)
                                                THEN now() ELSE t.window_start END
                        RETURNING failures""")
                .param("key", key).param("window", (double) window.toSeconds())
                .query(Integer.class).single();
        if (failures < maxFailures) {
            return null;
        }
        return jdbc.sql("""
                        UPDATE login_throttle
                        SET locked_until = now() + make_interval(secs => :lock), failures = 0, window_start = now()
                        WHERE throttle_key = :key
                        RETURNING locked_until""")
                .param("key", key).param("lock", (double) lockFor.toSeconds())
                .query((rs, n) -> rs.getTimestamp(1).toInstant())
                .single();
    }

    /** Forgets failures and any lock of {@code key}. */
    void reset(String key) {
        jdbc.sql("DELETE FROM login_throttle WHERE throttle_key = :key").param("key", key).update();
    }

    /** Removes counters untouched for a day and not locked. */
    int deleteStale() {
        return jdbc.sql("""
                        DELETE FROM login_throttle
                        WHERE window_start < now() - interval '1 day' AND (locked_until IS NULL OR locked_until < now())""")
                .update();
    }

    /** Forgets failures and locks of {@code emailKey} and of every (e-mail, address) pair under it. */
    void resetEmail(String emailKey) {
        jdbc.sql("DELETE FROM login_throttle WHERE throttle_key = :key OR starts_with(throttle_key, :prefix)")
                .param("key", emailKey).param("prefix", emailKey + "|").update();
    }
}
