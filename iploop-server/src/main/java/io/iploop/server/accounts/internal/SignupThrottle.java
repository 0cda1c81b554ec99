package io.iploop.server.accounts.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.iploop.server.accounts.AccountsException;
import io.iploop.server.accounts.AccountsException.Reason;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Sign-up rate limits (docs/product/accounts.md#registration): Bucket4j token buckets of
 * {@link AccountsSettings#signupsPerIp()} per client address and {@link AccountsSettings#signupsPerDomain()}
 * per e-mail domain, each refilled greedily over {@link AccountsSettings#signupWindow()}. A sign-up
 * {@linkplain #reserve reserves} one token of each limit before it writes anything, so concurrent
 * sign-ups can never pass the same last token, and gives them back when it does not commit, so a typo
 * in the form costs nothing. An IPv6 client is counted per /64, the block one subscriber line
 * usually holds (a single host can pick any address in it). Buckets live in memory on this server (a
 * restart forgets them) and are dropped after a window without sign-ups. Thread-safe.
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
     * Takes one sign-up of each limit for {@code clientIp} (null: not limited by address) and
     * {@code email} (already normalised), or none when either is used up.
     *
     * @return the tokens taken; {@link Reservation#release()} returns them when the sign-up fails
     * @throws AccountsException {@code SIGNUP_RATE_LIMITED} (429) with the wait as {@code Retry-After}
     */
    Reservation reserve(@Nullable String clientIp, String email) {
        @Nullable Bucket byAddress = clientIp == null ? null : take(addressKey(clientIp), settings.signupsPerIp(),
                "from your address");
        try {
            @Nullable Bucket byDomain = take(domainKey(email), settings.signupsPerDomain(),
                    "for e-mail addresses at " + domain(email));
            return new Reservation(byAddress, byDomain);
        } catch (AccountsException e) {
            if (byAddress != null) {
                byAddress.addTokens(1);
            }
            throw e;
        }
    }

    /** Tokens a sign-up holds; released at most once. Thread-safe. */
    static final class Reservation {
        private final @Nullable Bucket byAddress;
        private final @Nullable Bucket byDomain;
        private final AtomicBoolean released = new AtomicBoolean();

        private Reservation(@Nullable Bucket byAddress, @Nullable Bucket byDomain) {
            this.byAddress = byAddress;
            this.byDomain = byDomain;
        }

        /** Gives the tokens back (the sign-up did not happen); later calls do nothing. */
        void release() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            if (byAddress != null) {
                byAddress.addTokens(1);
            }
            if (byDomain != null) {
                byDomain.addTokens(1);
            }
        }
    }

    /** The bucket a token was taken from; null when {@code limit} is off. */
    private @Nullable Bucket take(String key, int limit, String what) {
        if (limit <= 0) {
            return null;
        }
        Bucket bucket = bucket(key, limit);
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
            long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
            throw new AccountsException(Reason.SIGNUP_RATE_LIMITED, "too many sign-ups " + what + "; try again in "
                    + (seconds < 120 ? seconds + " s" : (seconds + 59) / 60 + " min"), null, wait);
        }
        return bucket;
    }

    private Bucket bucket(String key, int limit) {
        return buckets.get(key, k -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(limit).refillGreedy(limit, settings.signupWindow()).build())
                .build());
    }

    /** {@code ip:} and the address for IPv4, {@code ip6:} and the /64 prefix for IPv6. */
    static String addressKey(String clientIp) {
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(clientIp);
        } catch (IllegalArgumentException e) {
            return "ip:" + clientIp;
        }
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            return "ip6:" + HexFormat.of().formatHex(b, 0, 8) + "::/64";
        }
        return "ip:" + address.getHostAddress();
    }

    private static String domainKey(String email) {
        return "domain:" + domain(email);
    }

    private static String domain(String email) {
        int at = email.lastIndexOf('@');
        return at < 0 ? email : email.substring(at + 1);
    }
}
