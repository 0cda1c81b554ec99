package io.iploop.gateway.spi;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one live sticky session of an account (docs/product/proxy.md#sessions).
 * Immutable.
 *
 * @param id the session id the customer chose ({@code session-ID} in the proxy user name)
 * @param nodeId the node the session is pinned to
 * @param country the exit's ISO 3166-1 alpha-2 country, null if unknown
 * @param city the exit's city, null if unknown
 * @param asn the exit's ASN, 0 if unknown
 * @param nodeConnectedSince when the exit node connected to this gateway (its age)
 * @param pinnedAt when the session was pinned to this node
 * @param expiresAt when the pin ends; the next request after it picks a new node
 * @param bytes bytes carried (both directions, as metered for usage, interim records included) by
 *     the session's streams on this gateway since it was pinned to its node; 0 after a restart
 *     until it carries more
 */
public record StickySession(
        String id,
        UUID nodeId,
        @Nullable String country,
        @Nullable String city,
        int asn,
        Instant nodeConnectedSince,
        Instant pinnedAt,
        Instant expiresAt,
        long bytes) {}
