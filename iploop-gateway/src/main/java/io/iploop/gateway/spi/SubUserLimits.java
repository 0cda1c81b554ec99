package io.iploop.gateway.spi;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one sub-user may do on top of (never beyond) its parent account's plan
 * (docs/sub-users.md#limits), as the control plane knows it now. The parent's
 * {@link AccountLimits} still apply to every request of the sub-user. Immutable.
 *
 * @param remainingBytes bytes the sub-user may still carry in its limit period (the limit minus
 *     what its stored usage records count); {@link AccountLimits#UNLIMITED_BYTES} = no own limit;
 *     0 or less = exhausted (402 {@code sub_user_limit_reached})
 * @param requestsPerSecond the sub-user's own requests per second (token bucket); 0 = only the plan's
 * @param requestsPerDay the sub-user's own requests per UTC day; 0 = only the plan's
 * @param allowedCountries upper-case ISO 3166-1 alpha-2 codes the sub-user may target with
 *     {@code country}; empty = every country the plan allows
 * @param cityAllowed whether the sub-user may use {@code city} (and {@code state}, {@code zip})
 *     targeting at all
 * @param maxConcurrentConnections the sub-user's own customer connections (tunnels, keep-alive
 *     connections) open at once, counted across all its connections to this gateway; 0 = only the plan's
 */
public record SubUserLimits(
        long remainingBytes, int requestsPerSecond, long requestsPerDay, Set<String> allowedCountries, boolean cityAllowed,
        int maxConcurrentConnections) {

    /** A sub-user without limits of its own. */
    public static final SubUserLimits UNLIMITED = new SubUserLimits(AccountLimits.UNLIMITED_BYTES, 0, 0, Set.of(), true, 0);

    /** Limits without an own connection limit (0: only the plan's). */
    public SubUserLimits(long remainingBytes, int requestsPerSecond, long requestsPerDay, Set<String> allowedCountries,
            boolean cityAllowed) {
        this(remainingBytes, requestsPerSecond, requestsPerDay, allowedCountries, cityAllowed, 0);
    }

    public SubUserLimits {
        if (requestsPerSecond < 0 || requestsPerDay < 0 || maxConcurrentConnections < 0) {
            throw new IllegalArgumentException("limits: " + requestsPerSecond + "/s, " + requestsPerDay
                    + "/day, " + maxConcurrentConnections + " concurrent (expected: >= 0, 0 = unlimited)");
        }
        allowedCountries = allowedCountries.stream().map(c -> c.toUpperCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
}
