package io.iploop.gateway.limits;

import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.LimitsProvider;
import io.iploop.gateway.spi.PremiumCredit;
import io.iploop.gateway.spi.PremiumTargeting;
import io.iploop.gateway.spi.SharedLimitCounters;
import io.iploop.gateway.spi.SubUserLimits;
import io.iploop.gateway.spi.SubUserLimitsProvider;
import io.iploop.gateway.spi.TargetingOption;
import io.iploop.gateway.spi.UsageRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's plan-limit enforcement point: one {@link AccountLimiter} per account, loaded from
 * the {@link LimitsProvider} on first use and refreshed every {@code refreshInterval} on
 * {@code executor} (never an event loop); likewise one {@link SubUserLimiter} per sub-user from the
 * {@link SubUserLimitsProvider} (docs/sub-users.md#limits). States idle for 10 minutes with nothing
 * to remember are dropped. In a cluster ({@link SharedLimitCounters}) the concurrency, per-second and
 * per-day counts are exchanged with the other gateways every 100 ms on a thread of its own
 * ({@link ClusterLimitSync}, docs/deploy.md#shared-limits); without, no such thread exists. Thread-safe.
 */
public final class Limits implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Limits.class);
    private static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final LimitsProvider provider;
    private final SubUserLimitsProvider subUserProvider;
    private final PremiumTargeting premium;
    private final Map<UUID, CompletableFuture<SubUserLimiter>> subUsers = new ConcurrentHashMap<>();
    private final Executor executor;
    private final Clock clock;
    private final Map<UUID, CompletableFuture<AccountLimiter>> accounts = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    /** The cluster's counters (docs/deploy.md#shared-limits), null on a gateway that keeps limits to itself. */
    private final @Nullable ClusterLimitSync cluster;
    private final @Nullable ScheduledExecutorService clusterTimer;

    /**
     * @param executor runs the (blocking) provider calls
     * @param clock decides the UTC day of the requests-per-day counter
     */
    public Limits(LimitsProvider provider, Executor executor, Clock clock, Duration refreshInterval) {
        this(provider, SubUserLimitsProvider.UNLIMITED, executor, clock, refreshInterval);
    }

    /**
     * @param subUserProvider the limits of sub-users (docs/sub-users.md#limits)
     * @param executor runs the (blocking) provider calls
     * @param clock decides the UTC day of the requests-per-day counters
     */
    public Limits(LimitsProvider provider, SubUserLimitsProvider subUserProvider, Executor executor, Clock clock,
            Duration refreshInterval) {
        this(provider, subUserProvider, PremiumTargeting.NONE, executor, clock, refreshInterval);
    }

    /**
     * @param subUserProvider the limits of sub-users (docs/sub-users.md#limits)
     * @param premium what prepaid credits pay for beyond the plan, and where premium use is
     *     reported with every refresh (docs/billing.md#time-based-targeting)
     * @param executor runs the (blocking) provider calls
     * @param clock decides the UTC day of the requests-per-day counters
     */
    public Limits(LimitsProvider provider, SubUserLimitsProvider subUserProvider, PremiumTargeting premium,
            Executor executor, Clock clock, Duration refreshInterval) {
        this(provider, subUserProvider, premium, null, executor, clock, refreshInterval);
    }

    /**
     * @param subUserProvider the limits of sub-users (docs/sub-users.md#limits)
     * @param premium what prepaid credits pay for beyond the plan (docs/billing.md#time-based-targeting)
     * @param shared the counters shared by the gateways of a cluster (docs/deploy.md#shared-limits): the
     *     concurrency, per-second and per-day limits then count every gateway's connections and
     *     requests; null keeps them to this gateway (the embedded default; no thread is started)
     * @param executor runs the (blocking) provider calls
     * @param clock decides the UTC day of the requests-per-day counters
     */
    public Limits(LimitsProvider provider, SubUserLimitsProvider subUserProvider, PremiumTargeting premium,
            @Nullable SharedLimitCounters shared, Executor executor, Clock clock, Duration refreshInterval) {
        this.provider = provider;
        this.subUserProvider = subUserProvider;
        this.premium = premium;
        this.executor = executor;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("iploop-limits-refresh").factory());
        long millis = Math.max(1, refreshInterval.toMillis());
        timer.scheduleWithFixedDelay(this::refreshAll, millis, millis, TimeUnit.MILLISECONDS);
        if (shared == null) {
            cluster = null;
            clusterTimer = null;
        } else {
            cluster = new ClusterLimitSync(shared, clock);
            clusterTimer = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().daemon().name("iploop-limits-cluster").factory());
            long sync = ClusterLimitSync.INTERVAL.toMillis();
            clusterTimer.scheduleWithFixedDelay(this::exchangeWithCluster, sync, sync, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Exchanges the counts of the principals in use with the cluster now and waits for the answer
     * (at most a few seconds); nothing without shared counters. The same exchange runs every 100 ms
     * by itself; tests call this to know both sides have learned each other's counts.
     */
    public void exchangeWithClusterNow() {
        exchangeWithCluster();
    }

    /** The principals in use, with their counts, to the cluster; their answers installed. */
    private void exchangeWithCluster() {
        ClusterLimitSync c = cluster;
        if (c == null) {
            return;
        }
        try {
            long now = System.nanoTime();
            List<ClusterLimitSync.Target> targets = new ArrayList<>();
            accounts.forEach((id, f) -> {
                AccountLimiter l = f.getNow(null);
                ClusterShare share = l == null ? null : l.lease().share();
                if (share != null && ClusterLimitSync.active(share, l.openConnections(), l.lease().unusedNanos(now))) {
                    targets.add(new ClusterLimitSync.Target(share, l.openConnections()));
                }
            });
            subUsers.forEach((id, f) -> {
                SubUserLimiter l = f.getNow(null);
                ClusterShare share = l == null ? null : l.lease().share();
                if (share != null && ClusterLimitSync.active(share, l.openConnections(), l.lease().unusedNanos(now))) {
                    targets.add(new ClusterLimitSync.Target(share, l.openConnections()));
                }
            });
            c.exchange(targets);
        } catch (RuntimeException e) {
            log.warn("exchanging limit counts with the cluster failed", e);
        }
    }

    /** Joins a freshly loaded limiter to the cluster's counts and learns them before it is used. */
    private <L> void join(LimitLease<L> lease, String scope) {
        ClusterLimitSync c = cluster;
        if (c == null) {
            return;
        }
        ClusterShare share = new ClusterShare(scope);
        lease.share(share);
        c.exchange(List.of(new ClusterLimitSync.Target(share, 0)));
    }

    /**
     * The account's limiter; already complete once loaded. Completes exceptionally if the first
     * load fails (the next call tries again).
     */
    public CompletableFuture<AccountLimiter> limiter(UUID userId) {
        return accounts.computeIfAbsent(userId, id -> {
            CompletableFuture<AccountLimiter> load = CompletableFuture.supplyAsync(() -> {
                AccountLimiter l = new AccountLimiter(fetch(id), fetchCredit(id), clock);
                join(l.lease(), "a:" + id);
                return l;
            }, executor);
            load.whenComplete((l, e) -> {
                if (e != null) {
                    accounts.remove(id, load);
                }
            });
            return load;
        });
    }

    /**
     * The sub-user's limiter; already complete once loaded. Completes exceptionally if the first
     * load fails (the next call tries again).
     */
    public CompletableFuture<SubUserLimiter> subUserLimiter(UUID subUserId) {
        return subUsers.computeIfAbsent(subUserId, id -> {
            CompletableFuture<SubUserLimiter> load =
                    CompletableFuture.supplyAsync(() -> {
                        SubUserLimiter l = new SubUserLimiter(fetchSubUser(id), clock);
                        join(l.lease(), "s:" + id);
                        return l;
                    }, executor);
            load.whenComplete((l, e) -> {
                if (e != null) {
                    subUsers.remove(id, load);
                }
            });
            return load;
        });
    }

    private SubUserLimits fetchSubUser(UUID subUserId) {
        try {
            return subUserProvider.limits(subUserId);
        } catch (Exception e) {
            throw new IllegalStateException("limits of sub-user " + subUserId + " unavailable: " + e.getMessage(), e);
        }
    }

    private void refreshSubUser(UUID subUserId, SubUserLimiter limiter) {
        long persistedAtFetch = limiter.persistedBytes();
        try {
            limiter.update(subUserProvider.limits(subUserId), persistedAtFetch);
        } catch (Exception e) {
            log.warn("refreshing the limits of sub-user {} failed; keeping the last known: {}", subUserId, e.toString());
        }
    }

    /**
     * Hook for the usage batcher: these records are now durably written. Never blocks. Upstream-pool
     * records ({@link UsageRecord#poolPort()} set) are skipped: pool bytes never spend the residential
     * budget (docs/upstream-pool.md#metering).
     */
    public void written(List<UsageRecord> batch) {
        for (UsageRecord r : batch) {
            if (r.poolPort() != null) {
                continue;
            }
            UUID subUserId = r.subUserId();
            if (subUserId != null) {
                CompletableFuture<SubUserLimiter> sf = subUsers.get(subUserId);
                SubUserLimiter sl = sf == null ? null : sf.getNow(null);
                if (sl != null) {
                    sl.persisted(r.bytesDownloaded() + r.bytesUploaded());
                }
            }
            CompletableFuture<AccountLimiter> f = accounts.get(r.userId());
            AccountLimiter l = f == null ? null : f.getNow(null);
            if (l != null) {
                l.persisted(r.bytesDownloaded() + r.bytesUploaded());
            }
        }
    }

    private AccountLimits fetch(UUID userId) {
        try {
            return provider.limits(userId);
        } catch (Exception e) {
            throw new IllegalStateException("limits of " + userId + " unavailable: " + e.getMessage(), e);
        }
    }

    /** The account's credit answer; a failing store counts as no credits until the next refresh. */
    private PremiumCredit fetchCredit(UUID userId) {
        try {
            return premium.credit(userId);
        } catch (Exception e) {
            log.warn("prepaid credits of {} unavailable; targeting beyond the plan refused until the next refresh: {}",
                    userId, e.toString());
            return PremiumCredit.NONE;
        }
    }

    /** Reports the premium targeting carried since the last report; kept for the next one if that fails. */
    private void reportPremium(UUID userId, AccountLimiter limiter) {
        Set<TargetingOption> used = limiter.drainPremium();
        if (used.isEmpty()) {
            return;
        }
        try {
            premium.used(userId, used, Instant.ofEpochMilli(limiter.premiumLastUsedMillis()));
        } catch (Exception e) {
            limiter.undrainPremium(used);
            log.warn("reporting premium targeting of {} failed; reporting it with the next refresh: {}", userId, e.toString());
        }
    }

    private void refreshAll() {
        long now = System.nanoTime();
        accounts.forEach((id, f) -> {
            AccountLimiter l = f.getNow(null);
            if (l == null) {
                return;
            }
            if (l.idle(now, IDLE_NANOS)) {
                accounts.remove(id, f);
                return;
            }
            executor.execute(() -> refresh(id, l));
        });
        subUsers.forEach((id, f) -> {
            SubUserLimiter l = f.getNow(null);
            if (l == null) {
                return;
            }
            if (l.idle(now, IDLE_NANOS)) {
                subUsers.remove(id, f);
                return;
            }
            executor.execute(() -> refreshSubUser(id, l));
        });
    }

    private void refresh(UUID userId, AccountLimiter limiter) {
        reportPremium(userId, limiter);
        long persistedAtFetch = limiter.persistedBytes();
        try {
            limiter.update(provider.limits(userId), persistedAtFetch);
        } catch (Exception e) {
            log.warn("refreshing the limits of {} failed; keeping the last known: {}", userId, e.toString());
        }
        try {
            limiter.credit(premium.credit(userId));
        } catch (Exception e) {
            log.warn("refreshing the prepaid credits of {} failed; keeping the last known: {}", userId, e.toString());
        }
    }

    /** Refreshes every known account now and waits for it (tests, and after a plan change). */
    public void refreshNow() {
        accounts.forEach((id, f) -> {
            AccountLimiter l = f.getNow(null);
            if (l != null) {
                refresh(id, l);
            }
        });
        subUsers.forEach((id, f) -> {
            SubUserLimiter l = f.getNow(null);
            if (l != null) {
                refreshSubUser(id, l);
            }
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (clusterTimer != null) {
            clusterTimer.shutdownNow();
        }
        accounts.forEach((id, f) -> {
            AccountLimiter l = f.getNow(null);
            if (l != null) {
                reportPremium(id, l);
            }
        });
    }
}
