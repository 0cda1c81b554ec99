package io.iploop.gateway.node;

import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.LocationKeys;
import org.jspecify.annotations.Nullable;

/**
 * What a node must be to serve a {@link Targeting}, in the nodes' normalised key forms
 * ({@link LocationKeys}), computed once
 * per selection so matching a candidate allocates nothing. Null: not targeted. Immutable.
 *
 * @param minSpeedMbps the least measured throughput, Mbit/s
 * @param maxLatencyMillis the most measured time to first byte, ms
 * @param port the destination TCP port the node's allowed-ports policy must allow
 *     (docs/node-agent.md#allowed-ports); 0: any port (index lookups)
 */
record Criteria(@Nullable String country, @Nullable String region, @Nullable String city, @Nullable Integer asn,
        @Nullable String isp, @Nullable String zip, @Nullable Integer minSpeedMbps, @Nullable Integer maxLatencyMillis,
        int port) {

    /** The targeting alone, for any destination port. */
    static Criteria of(Targeting t) {
        return of(t, 0);
    }

    /** The targeting for a stream to {@code port} (1-65535, or 0 for any). */
    static Criteria of(Targeting t, int port) {
        return new Criteria(t.country(), LocationKeys.name(t.state()), LocationKeys.name(t.city()), t.asn(),
                t.isp() == null ? null : orNone(LocationKeys.name(t.isp())), t.zip() == null ? null : orNone(LocationKeys.postalCode(t.zip())),
                t.minSpeedMbps(), t.maxLatencyMillis(), port);
    }

    /** A targeted value that normalises to nothing matches no node. */
    private static String orNone(@Nullable String key) {
        return key == null ? "\u0000" : key;
    }

    /** Whether {@code e} serves this (its port policy allows {@link #port}); the speed and latency only from measured figures (NaN never matches). */
    boolean matches(NodeEntry e) {
        if (port != 0 && !e.allowedPorts.allows(port)) {
            return false;
        }
        if (!matchesLocation(e.countryKey, e.regionKey, e.cityKey, e.admission.asn(), e.ispKey, e.zipKey)) {
            return false;
        }
        if (minSpeedMbps != null && !(e.quality.throughputMbps() >= minSpeedMbps)) {
            return false;
        }
        return maxLatencyMillis == null || e.quality.ttfbMillis() <= maxLatencyMillis;
    }

    /**
     * Whether a node at this location (keys in {@link NodeEntry}'s forms, null: unknown; ASN 0:
     * unknown) serves this, port, speed and latency aside: all a node of another gateway is known by
     * (docs/deploy.md#cross-gateway-relay).
     */
    boolean matchesLocation(@Nullable String countryKey, @Nullable String regionKey, @Nullable String cityKey, int asn,
            @Nullable String ispKey, @Nullable String zipKey) {
        return (country == null || country.equals(countryKey))
                && (region == null || region.equals(regionKey))
                && (city == null || city.equals(cityKey))
                && (this.asn == null || this.asn == asn)
                && (isp == null || isp.equals(ispKey))
                && (zip == null || zip.equals(zipKey));
    }
}
