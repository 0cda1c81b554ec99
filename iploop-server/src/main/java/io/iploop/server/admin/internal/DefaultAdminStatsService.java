package io.iploop.server.admin.internal;

import io.iploop.server.accounts.AccountsService;
import io.iploop.server.admin.AdminStatsService;
import io.iploop.server.admin.SystemStats;
import io.iploop.server.keys.ApiKeysService;
import io.iploop.server.nodes.NetworkSummary;
import io.iploop.server.nodes.NodeStats;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.usage.UsageService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * Statistics from the features' public services only, never their tables
 * (docs/architecture.md#rules). Stateless, thread-safe.
 */
@Service
class DefaultAdminStatsService implements AdminStatsService {

    private final AccountsService accounts;
    private final PlansService plans;
    private final ApiKeysService keys;
    private final UsageService usage;
    private final NodesService nodes;
    private final Clock clock = Clock.systemUTC();

    DefaultAdminStatsService(AccountsService accounts, PlansService plans, ApiKeysService keys, UsageService usage,
            NodesService nodes) {
        this.accounts = accounts;
        this.plans = plans;
        this.keys = keys;
        this.usage = usage;
        this.nodes = nodes;
    }

    @Override
    public SystemStats stats(UUID adminId) {
        Instant now = clock.instant();
        Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
        NodeStats nodeStats = nodes.stats(adminId, true);
        NetworkSummary network = nodes.network();
        return new SystemStats(now, accounts.stats(),
                new SystemStats.Nodes(network.registeredNodes(), network.onlineNodes(), nodeStats.byCountry(),
                        network.onlineByCountry()),
                usage.platformUsage(midnight, now),
                usage.platformUsage(now.minus(Duration.ofDays(30)), now),
                keys.activeKeyCount(),
                plans.planDistribution());
    }
}
