package io.iploop.server.nodes;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What the platform itself observed about nodes, as opposed to what their agents claim: the public
 * address the gateway saw each node connect from and, when a GeoIP database is configured
 * ({@code IPLOOP_GEOIP_DB}), where that address is. The earn feature bases its geography and
 * multi-device multipliers on this only (docs/earn-fraud.md). Thread-safe.
 */
public interface NodeEvidence {

    /** True when a GeoIP City database is loaded; without one {@link #locate} gives no country or city (at most an ASN). */
    boolean geoIpEnabled();

    /** The GeoIP location of an IP literal, empty without a database or when it does not know the address. */
    Optional<VerifiedLocation> locate(String ip);

    /** The address each node last connected from, as the gateway saw it; nodes never seen are absent. */
    Map<UUID, String> lastAddresses(Collection<UUID> nodeIds);

    /**
     * A location from the GeoIP database.
     *
     * @param country ISO 3166-1 alpha-2, upper case, or null when unknown
     * @param asn autonomous system number, 0 when unknown
     */
    record VerifiedLocation(@Nullable String country, @Nullable String city, int asn) {}
}
