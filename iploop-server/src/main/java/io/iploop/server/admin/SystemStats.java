package io.iploop.server.admin;

import io.iploop.server.accounts.AccountStats;
import io.iploop.server.usage.PlatformUsage;
import java.time.Instant;
import java.util.Map;

/**
 * System-wide statistics (docs/product/admin.md#admin-dashboard: users, plans, supply). Immutable.
 *
 * @param users account counts by status, role and age
 * @param nodes exit nodes known and connected
 * @param trafficToday usage since 00:00 UTC today
 * @param trafficLast30Days usage in the last 30 × 24 h
 * @param activeApiKeys keys that would authenticate now
 * @param planDistribution active subscriptions per plan id, every plan listed
 */
public record SystemStats(Instant generatedAt, AccountStats users, Nodes nodes, PlatformUsage trafficToday,
        PlatformUsage trafficLast30Days, long activeApiKeys, Map<String, Long> planDistribution) {

    public SystemStats {
        planDistribution = Map.copyOf(planDistribution);
    }

    /**
     * Exit nodes (docs/product/admin.md#supply).
     *
     * @param total nodes ever registered
     * @param online nodes connected to the gateway now
     * @param byCountry registered nodes per ISO country ({@code "??"} unknown)
     * @param onlineByCountry connected nodes per ISO country with at least one, {@code "??"} for those
     *     without a known country; sums to {@code online} (from {@code NodesService.network()})
     */
    public record Nodes(int total, int online, Map<String, Integer> byCountry, Map<String, Integer> onlineByCountry) {

        public Nodes {
            byCountry = Map.copyOf(byCountry);
            onlineByCountry = Map.copyOf(onlineByCountry);
        }
    }
}
