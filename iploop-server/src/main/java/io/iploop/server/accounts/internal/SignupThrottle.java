package io.iploop.server.accounts.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsException.Reason;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Sign-up rate limits (docs/product/accounts.md#registration): Bucket4j token buckets of
 * {@link AccountsSettings#signupsPerIp()} per client IP and {@link AccountsSettings#signupsPerDomain()}
 * per e-mail domain, each refilled greedily over {@link AccountsSettings#signupWindow()}. Only
 * registrations that succeed spend a token ({@link #check} before, {@link #record} after), so a typo
 * in the form costs nothing. Buckets live in memory on this server (a restart forgets them) and are
 * dropped after a window without sign-ups. Thread-safe.
 */
@Component
class SignupThrottle {

    private final AccountsSettings settings;
    private final Cache<String, Bucket> buckets;

    SignupThrottle(AccountsSettings settings) {
        this.settings = settings;
        this.buckets = Caffeine.newBuilder().expireAfterAccess(settings.signupWindow()).maximumSize(1_000_000).build();
    }

    /**
     * Refuses a sign-up from {@code clientIp} (null: not limited by address) for {@code email}
     * (already normalised) when either limit is used up.
     *
     * @throws AccountsException {@code SIGNUP_RATE_LIMITED} (429) with the wait as {@code Retry-After}
     */
    void check(@Nullable String clientIp, String email) {
        if (clientIp != null) {
            refuseIfEmpty(ipKey(clientIp), settings.signupsPerIp(), "from your address");
        }
        refuseIfEmpty(domainKey(email), settings.signupsPerDomain(), "for e-mail addresses at " + domain(email));
    }

    /** Spends one sign-up of each limit after a registration succeeded. */
    void record(@Nullable String clientIp, String email) {
        if (clientIp != null && settings.signupsPerIp() > 0) {
            bucket(ipKey(clientIp), settings.signupsPerIp()).tryConsume(1);
        }
        if (settings.signupsPerDomain() > 0) {
            bucket(domainKey(email), settings.signupsPerDomain()).tryConsume(1);
        }
    }

    private void refuseIfEmpty(String key, int limit, String what) {
        if (limit <= 0) {
            return;
        }
        EstimationProbe probe = bucket(key, limit).estimateAbilityToConsume(1);
        if (!probe.canBeConsumed()) {
            Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            throw new AccountsException(Reason.SIGNUP_RATE_LIMITED, "too many sign-ups " + what + "; try again in "
                    + (seconds < 120 ? seconds + " s" : (seconds + 59) / 60 + " min"), null, wait);
        }
    }

    private Bucket bucket(String key, int limit) {
        return buckets.get(key, k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(limit).refillGreedy(limit, settings.signupWindow()).build())
                .build());
    }

    private static String ipKey(String ip) {
        return "ip:" + ip;
    }

    private static String domainKey(String email) {
        return "domain:" + domain(email);
    }

    private static String domain(String email) {
        int at = email.lastIndexOf('@');
        return at < 0 ? email : email.substring(at + 1);
    }
}
