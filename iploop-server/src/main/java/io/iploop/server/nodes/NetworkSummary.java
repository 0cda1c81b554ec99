package io.iploop.server.nodes;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The network-wide node figures every page and API shows (docs/product/dashboard.md#overview, one
 * source for each figure): computed by {@link NodesService#network()} from one read of the
 * gateway's live view and one aggregate over the node registry, so the overview, the admin supply
 * page, {@code /api/nodes}, {@code /api/nodes/network} and {@code /api/admin/stats} never disagree.
 * Immutable.
 *
 * @param gatewayRunning true while the gateway accepts traffic
 * @param onlineNodes nodes connected to the gateway now, all owners, with or without a known country
 * @param registeredNodes node rows in the registry, online or not
 * @param locations the connected nodes by country and city; {@code locations.totalNodes()} equals
 *     {@code onlineNodes}
 * @param unknownLocationNodes connected nodes whose country is not known (no GeoIP evidence and none
 *     reported), which the map cannot place
 * @param averageQuality mean quality score 0-100 of the registered nodes, one decimal, 0 when none
 * @param bandwidthBytes bytes carried through all registered nodes, both directions, as the gateway
 *     last flushed its per-node counters (about every second)
 * @param totalRequests streams opened through the registered nodes
 * @param successfulRequests of those, streams the node connected
 */
public record NetworkSummary(
        boolean gatewayRunning,
        int onlineNodes,
        int registeredNodes,
        Locations locations,
        int unknownLocationNodes,
        double averageQuality,
        long bandwidthBytes,
        long totalRequests,
        long successfulRequests,
        Instant timestamp) {

    /** Key of {@link #onlineByCountry()} for connected nodes without a known country. */
    public static final String UNKNOWN_COUNTRY = "??";

    /** Countries with connected nodes. */
    public int countries() {
        return locations.countries().size();
    }

    /**
     * Connected nodes per ISO country, most first, then {@link #UNKNOWN_COUNTRY} when some have no
     * known country; the values sum to {@link #onlineNodes()}.
     */
    public Map<String, Integer> onlineByCountry() {
        Map<String, Integer> m = new LinkedHashMap<>();
        locations.countries().forEach(c -> m.put(c.code(), c.nodeCount()));
        if (unknownLocationNodes > 0) {
            m.put(UNKNOWN_COUNTRY, unknownLocationNodes);
        }
        return m;
    }
}
