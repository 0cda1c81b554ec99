package io.iploop.gateway.node;

import io.iploop.gateway.routing.Targeting;
import org.jspecify.annotations.Nullable;

/**
 * What a node must be to serve a {@link Targeting}, in the nodes' normalised key forms
 * ({@link NodeEntry#placeKey}, {@link NodeEntry#ispKey}, {@link NodeEntry#zipKey}), computed once
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
        return new Criteria(t.country(), NodeEntry.placeKey(t.state()), NodeEntry.placeKey(t.city()), t.asn(),
                t.isp() == null ? null : orNone(NodeEntry.ispKey(t.isp())), t.zip() == null ? null : orNone(NodeEntry.zipKey(t.zip())),
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
        if (country != null && !country.equals(e.countryKey)) {
            return false;
        }
        if (region != null && !region.equals(e.regionKey)) {
            return false;
        }
        if (city != null && !city.equals(e.cityKey)) {
            return false;
        }
        if (asn != null && asn != e.admission.asn()) {
            return false;
        }
        if (isp != null && !isp.equals(e.ispKey)) {
            return false;
        }
        if (zip != null && !zip.equals(e.zipKey)) {
            return false;
        }
        if (minSpeedMbps != null && !(e.quality.throughputMbps() >= minSpeedMbps)) {
            return false;
        }
        return maxLatencyMillis == null || e.quality.ttfbMillis() <= maxLatencyMillis;
    }
}
