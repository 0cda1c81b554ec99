package io.iploop.server.subusers;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A sub-user as shown to its account (docs/sub-users.md): never its secret, only the secret's
 * prefix. Immutable.
 *
 * @param username the proxy username, {@code CUSTOMERID-sub-NAME}
 * @param secretPrefix the first 14 characters of the secret ({@code iploop_} + 7 hex)
 * @param trafficLimitBytes the sub-user's own traffic limit in bytes (both directions) per
 *     {@code trafficPeriod}, or null for none (the account's balance still applies)
 * @param trafficPeriod {@code month} (UTC calendar month) or {@code total} (the sub-user's life)
 * @param usedBytes bytes carried in the current limit period (stored usage, a few seconds behind)
 * @param requestsPerSecond own requests per second, 0 = the plan's only
 * @param requestsPerDay own requests per UTC day, 0 = the plan's only
 * @param allowedCountries ISO 3166-1 alpha-2 codes it may target; empty = all the plan allows
 * @param cityAllowed whether city (and state, zip) targeting is allowed
 * @param ipWhitelist client IPs and CIDR ranges allowed; empty allows every client
 * @param expiresAt when the sub-user stops working, or null for never
 * @param expired whether {@code expiresAt} had passed when this was loaded
 * @param maxConcurrentConnections own limit of connections open at once (CONNECT/SOCKS5 tunnels,
 *     keep-alive connections), or null for the plan's only
 * @param usedPercent percent of the traffic limit used (0-100, rounded down), or null without a
 *     limit; derived from the limit and the used bytes (any value passed in is replaced)
 */
public record SubUser(
        UUID id,
        String name,
        String username,
        String secretPrefix,
        boolean enabled,
        @Nullable Long trafficLimitBytes,
        String trafficPeriod,
        long usedBytes,
        int requestsPerSecond,
        long requestsPerDay,
        List<String> allowedCountries,
        boolean cityAllowed,
        List<String> ipWhitelist,
        @Nullable Instant expiresAt,
        boolean expired,
        Instant createdAt,
        Instant updatedAt,
        @Nullable Integer usedPercent,
        @Nullable Integer maxConcurrentConnections) {

    public SubUser {
        allowedCountries = List.copyOf(allowedCountries);
        ipWhitelist = List.copyOf(ipWhitelist);
        usedPercent = trafficLimitBytes == null ? null : (int) Math.min(100, usedBytes * 100 / trafficLimitBytes);
    }
}
