package io.iploop.gateway.pool;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.limits.Refusal;
import io.iploop.gateway.proxy.ProxyAdmission;
import io.iploop.gateway.proxy.ProxyConnection;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.PoolAccessProvider;
import io.iploop.gateway.spi.PoolGrant;
import io.iploop.gateway.spi.UsageRecord;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every account's pool state ({@link PoolAccount}), loaded from the {@link PoolAccessProvider} on
 * a blocking executor (never on an event loop) on first use and refreshed every few seconds like
 * the plan limits; the admission of pool requests ({@link #admission(int)}); the strike sweep; and
 * the usage-batcher hook that retires pending pool bytes. Thread-safe.
 */
public final class PoolAccounts {

    private static final Logger log = LoggerFactory.getLogger(PoolAccounts.class);
    /** The thread slot a pool channel holds, released when it closes. */
    private static final AttributeKey<Slot> SLOT = AttributeKey.valueOf(PoolAccounts.class, "slot");

    private final PoolAccessProvider provider;
    private final Executor executor;
    private final InstantSource clock;
    private final Duration strikeAfter;
    private final Duration lockout;
    private final ConcurrentHashMap<UUID, CompletableFuture<PoolAccount>> accounts = new ConcurrentHashMap<>();

    /**
     * @param executor runs provider calls (may block)
     * @param clock time of expiry, the strike clock and lockouts (a test clock in tests)
     * @param strikeAfter how long an account may stay over its thread limit (15 min)
     * @param lockout how long it is then locked out (1 h)
     */
    public PoolAccounts(PoolAccessProvider provider, Executor executor, InstantSource clock, Duration strikeAfter,
            Duration lockout) {
        this.provider = provider;
        this.executor = executor;
        this.clock = clock;
        this.strikeAfter = strikeAfter;
        this.lockout = lockout;
    }

    private CompletableFuture<PoolAccount> account(UUID userId) {
        CompletableFuture<PoolAccount> f = accounts.computeIfAbsent(userId, id -> CompletableFuture.supplyAsync(() -> {
            PoolAccount a = new PoolAccount(id);
            a.update(fetch(id));
            return a;
        }, executor));
        if (f.isCompletedExceptionally()) {
            accounts.remove(userId, f); // the next request asks again
        }
        return f;
    }

    private @Nullable PoolGrant fetch(UUID userId) {
        try {
            return provider.grant(userId);
        } catch (Exception e) {
            throw new IllegalStateException("pool grant of " + userId + " unavailable: " + e.getMessage(), e);
        }
    }

    /**
     * Fetches every known account's grant again (keeps the last one when the provider fails) and closes
     * the open pool sockets a changed grant no longer covers: revoked, expired, ports taken away, fewer
     * threads ({@link PoolAccount#closeUncovered}). Blocking.
     */
    public void refreshAll() {
        for (CompletableFuture<PoolAccount> f : accounts.values()) {
            PoolAccount a = f.getNow(null);
            if (a == null) {
                continue;
            }
            try {
                a.update(provider.grant(a.userId()));
            } catch (Exception e) {
                log.warn("refreshing the pool grant of {} failed; keeping the last known: {}", a.userId(), e.toString());
                continue;
            }
            closeUncovered(a, clock.millis());
        }
    }

    /**
     * Kicks and locks out every account whose strike clock has run out ({@link PoolAccount#strikeDue}),
     * and closes the open pool sockets of grants that expired since the last sweep: admission checks the
     * expiry per request, but an open tunnel makes no more requests, so without this it would outlive
     * its grant. Never blocks.
     */
    public void sweepStrikes() {
        long now = clock.millis();
        for (CompletableFuture<PoolAccount> f : accounts.values()) {
            PoolAccount a = f.getNow(null);
            if (a == null) {
                continue;
            }
            if (a.strikeDue(now, strikeAfter)) {
                lockOut(a, now);
            } else {
                PoolGrant g = a.grant();
                if (g != null && g.expiresAt() != null && !a.channels.isEmpty()) {
                    closeUncovered(a, now);
                }
            }
        }
    }

    private void closeUncovered(PoolAccount a, long now) {
        if (a.channels.isEmpty()) {
            return;
        }
        int closed = a.closeUncovered(now);
        if (closed > 0) {
            PoolGrant g = a.grant();
            log.info("account {}: {} open pool socket(s) closed, no longer covered by its grant ({})", a.userId(), closed,
                    g == null ? "no pool access" : g.expiredAt(Instant.ofEpochMilli(now)) ? "expired at " + g.expiresAt()
                            : "ports or threads reduced");
        }
    }

    private void lockOut(PoolAccount a, long now) {
        log.info("account {} stayed above its pool thread limit for {}: every pool socket closed, locked out for {}",
                a.userId(), strikeAfter, lockout);
        a.lockOut(now + lockout.toMillis());
    }

    /** Usage-batcher hook: pool records now written retire their bytes from the pending count. Never blocks. */
    public void written(List<UsageRecord> batch) {
        for (UsageRecord r : batch) {
            if (r.poolPort() == null) {
                continue;
            }
            CompletableFuture<PoolAccount> f = accounts.get(r.userId());
            PoolAccount a = f == null ? null : f.getNow(null);
            if (a != null) {
                a.persisted(r.bytesDownloaded() + r.bytesUploaded());
            }
        }
    }

    /** The account's state if loaded (for the exit streams of admitted requests), else null. */
    @Nullable PoolAccount loaded(UUID userId) {
        CompletableFuture<PoolAccount> f = accounts.get(userId);
        return f == null ? null : f.getNow(null);
    }

    /** Sockets held on pool ports by {@code userId} now (0 when unknown). */
    public int threads(UUID userId) {
        PoolAccount a = loaded(userId);
        return a == null ? 0 : a.threads();
    }

    /** The admission of pool port {@code port} (docs/upstream-pool.md#limits). */
    public ProxyAdmission admission(int port) {
        return new ProxyAdmission() {
            @Override
            public CompletableFuture<@Nullable Void> prepare(CustomerPrincipal principal) {
                return account(principal.userId()).thenApply(a -> null);
            }

            @Override
            public @Nullable Refusal admit(Channel channel, ProxyConnection connection, CustomerPrincipal principal) {
                return PoolAccounts.this.admit(port, channel, connection, principal);
            }
        };
    }

    private @Nullable Refusal admit(int port, Channel channel, ProxyConnection connection, CustomerPrincipal principal) {
        PoolAccount a = loaded(principal.userId());
        if (a == null) {
            return PoolAccount.refusal(ProxyError.AUTH_UNAVAILABLE, "the pool access of the account is unavailable; retry shortly",
                    Duration.ofSeconds(1));
        }
        PoolGrant g = a.grant();
        if (g == null) {
            return PoolAccount.refusal(ProxyError.POOL_ACCESS_DENIED, "the account has no upstream-pool plan", null);
        }
        long nowMillis = clock.millis();
        Instant lockedUntil = a.lockedUntil(nowMillis);
        if (lockedUntil != null) {
            return PoolAccount.refusal(ProxyError.LOCKED_OUT, "locked out of the pool until " + lockedUntil
                    + " for staying above the thread limit", Duration.ofMillis(lockedUntil.toEpochMilli() - nowMillis));
        }
        if (g.expiredAt(Instant.ofEpochMilli(nowMillis))) {
            return PoolAccount.refusal(ProxyError.POOL_EXPIRED, "the pool access expired at " + g.expiresAt(), null);
        }
        if (!g.allowsPort(port)) {
            return PoolAccount.refusal(ProxyError.POOL_PORT_NOT_GRANTED, "the pool plan does not include port " + port, null);
        }
        if (a.quotaExhausted()) {
            return PoolAccount.refusal(ProxyError.POOL_QUOTA_EXHAUSTED, "the pool data quota is used up", null);
        }
        Refusal refusal = holdThread(a, g, channel, connection, nowMillis);
        if (refusal != null) {
            return refusal;
        }
        long nowNanos = System.nanoTime();
        PoolRate requests = a.rates().requests();
        long wait = requests == null ? 0 : requests.tryAcquire(1, nowNanos);
        if (wait > 0) {
            return PoolAccount.refusal(ProxyError.POOL_RATE_LIMITED,
                    "more than " + g.requestsPerSecond() + " pool requests per second", Duration.ofNanos(wait));
        }
        if (g.requestsPerSecondPerIp() > 0) {
            PoolAccount.PerIp ip = a.perIp(connection.clientAddress());
            PoolRate r = ip.requests;
            if (r == null || ip.requestsPerSecond != g.requestsPerSecondPerIp()) {
                r = new PoolRate(g.requestsPerSecondPerIp(), 1_000_000_000L);
                ip.requests = r;
                ip.requestsPerSecond = g.requestsPerSecondPerIp();
            }
            wait = r.tryAcquire(1, nowNanos);
            if (wait > 0) {
                return PoolAccount.refusal(ProxyError.POOL_RATE_LIMITED,
                        "more than " + g.requestsPerSecondPerIp() + " pool requests per second from one address",
                        Duration.ofNanos(wait));
            }
        }
        return null;
    }

    /** A connection holds one thread of the account from its first admitted request until it closes. */
    private @Nullable Refusal holdThread(PoolAccount a, PoolGrant g, Channel channel, ProxyConnection connection,
            long nowMillis) {
        Slot held = channel.attr(SLOT).get();
        if (held != null && held.account == a) {
            return null;
        }
        if (held != null) {
            held.release();
            channel.attr(SLOT).set(null);
        }
        if (!a.tryAcquireThread(g.maxThreads())) {
            if (a.overLimit(nowMillis, strikeAfter)) {
                lockOut(a, nowMillis);
            }
            return PoolAccount.refusal(ProxyError.POOL_THREADS_EXCEEDED,
                    "more than " + g.maxThreads() + " pool sockets (threads) open at once", PoolAccount.THREADS_RETRY);
        }
        PoolAccount.PerIp ip = a.perIp(connection.clientAddress());
        int n = ip.connections.incrementAndGet();
        if (g.connectionsPerIp() > 0 && n > g.connectionsPerIp()) {
            ip.connections.decrementAndGet();
            a.releaseThread();
            return PoolAccount.refusal(ProxyError.POOL_IP_CONNECTIONS_EXCEEDED,
                    "more than " + g.connectionsPerIp() + " pool sockets open at once from one address", PoolAccount.THREADS_RETRY);
        }
        Slot slot = new Slot(a, ip, connection.clientAddress(), channel);
        channel.attr(SLOT).set(slot);
        a.channels.add(channel);
        channel.closeFuture().addListener(f -> slot.release());
        return null;
    }

    /** One connection's hold on a thread and a per-IP connection of an account; released once. */
    private static final class Slot {
        final PoolAccount account;
        final PoolAccount.PerIp ip;
        final java.net.InetAddress address;
        final Channel channel;
        private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

        Slot(PoolAccount account, PoolAccount.PerIp ip, java.net.InetAddress address, Channel channel) {
            this.account = account;
            this.ip = ip;
            this.address = address;
            this.channel = channel;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                account.channels.remove(channel);
                ip.connections.decrementAndGet();
                account.forgetIp(address, ip);
                account.releaseThread();
            }
        }
    }
}
