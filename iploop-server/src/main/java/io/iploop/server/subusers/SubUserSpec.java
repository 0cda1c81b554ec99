package io.iploop.server.subusers;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a sub-user the account chooses (docs/sub-users.md#limits); everything but the
 * name, which is fixed at creation (it is part of the proxy username). Validated by
 * {@link SubUsersService}. Immutable.
 *
 * @param trafficLimitBytes bytes per {@code trafficPeriod}, > 0, or null for no own limit
 * @param trafficPeriod {@code month} or {@code total}; null = {@code month}
 * @param requestsPerSecond 0 (the plan's only) up to the plan's requests per second
 * @param requestsPerDay 0 (the plan's only) up to the plan's requests per day
 * @param allowedCountries ISO 3166-1 alpha-2 codes (any case); empty = all
 * @param ipWhitelist IPv4/IPv6 addresses or CIDR ranges, at most 50; empty = every client
 * @param expiresAt a future instant, or null for never
 * @param maxConcurrentConnections 1 up to the plan's connections open at once, or null (the plan's
 *     only; 0 is taken as null)
 */
public record SubUserSpec(
        @Nullable Long trafficLimitBytes,
        @Nullable String trafficPeriod,
        int requestsPerSecond,
        long requestsPerDay,
        List<String> allowedCountries,
        boolean cityAllowed,
        List<String> ipWhitelist,
        @Nullable Instant expiresAt,
        @Nullable Integer maxConcurrentConnections) {

    /** Settings without an own connection limit. */
    public SubUserSpec(@Nullable Long trafficLimitBytes, @Nullable String trafficPeriod, int requestsPerSecond,
            long requestsPerDay, List<String> allowedCountries, boolean cityAllowed, List<String> ipWhitelist,
            @Nullable Instant expiresAt) {
        this(trafficLimitBytes, trafficPeriod, requestsPerSecond, requestsPerDay, allowedCountries, cityAllowed, ipWhitelist,
                expiresAt, null);
    }

    public SubUserSpec {
        allowedCountries = List.copyOf(allowedCountries);
        ipWhitelist = List.copyOf(ipWhitelist);
    }

    /** No limits of its own, every target, every client, never expiring. */
    public static SubUserSpec unlimited() {
        return new SubUserSpec(null, null, 0, 0, List.of(), true, List.of(), null, null);
    }
}
