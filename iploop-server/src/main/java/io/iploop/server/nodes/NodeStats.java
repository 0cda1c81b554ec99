package io.iploop.server.nodes;

import java.util.Map;

/**
 * Node statistics (docs/product/dashboard.md#overview, docs/product/nodes.md#node-api) over the nodes the caller may see ({@code scope}:
 * {@code own} for operators and customers, {@code all} for admins), plus the network-wide live
 * counts every customer may see (as in {@code /api/proxy/locations}). Immutable.
 *
 * @param byCountry nodes in scope per ISO country ({@code "??"} when unknown)
 * @param onlineByCountry nodes in scope connected now, per country as in {@code byCountry}
 * @param byDeviceType nodes in scope per device type, i.e. the agent's platform ({@code android},
 *     {@code windows}, {@code linux}, …; {@code "unknown"} when not reported)
 * @param byConnectionType nodes in scope per connection type ({@code "unknown"} when not reported)
 * @param totalBandwidthBytes bytes carried by the nodes in scope, both directions
 * @param averageQuality mean quality score 0-100 of the nodes in scope, 0 when none
 * @param networkOnlineNodes nodes connected to the gateway now, all owners (as {@link NetworkSummary#onlineNodes()})
 * @param networkCountries countries with at least one connected node (as {@link NetworkSummary#countries()})
 */
public record NodeStats(
        String scope,
        int totalNodes,
        int onlineNodes,
        Map<String, Integer> byCountry,
        Map<String, Integer> onlineByCountry,
        Map<String, Integer> byDeviceType,
        Map<String, Integer> byConnectionType,
        long totalBandwidthBytes,
        long totalRequests,
        long successfulRequests,
        double averageQuality,
        int networkOnlineNodes,
        int networkCountries) {

    public NodeStats {
        byCountry = Map.copyOf(byCountry);
        onlineByCountry = Map.copyOf(onlineByCountry);
        byDeviceType = Map.copyOf(byDeviceType);
        byConnectionType = Map.copyOf(byConnectionType);
    }
}
