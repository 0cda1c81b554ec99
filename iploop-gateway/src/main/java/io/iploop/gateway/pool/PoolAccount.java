package io.iploop.gateway.pool;

import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.limits.Refusal;
import io.iploop.gateway.spi.AccountLimits;
import io.iploop.gateway.spi.PoolGrant;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One account's state on the upstream pool (docs/upstream-pool.md#limits): its cached
 * {@link PoolGrant}, the sockets it holds ("threads"), its request rates, per-IP counters,
 * shaping rates, the pool bytes carried but not yet written as usage records, and the strike
 * clock with its lockout (docs/upstream-pool.md#strike-system). Thread-safe: counters are atomics,
 * the grant and rates are swapped as a whole.
 */
final class PoolAccount {

    /** When to retry after a thread or per-IP connection refusal. */
    static final Duration THREADS_RETRY = Duration.ofSeconds(1);

    private final UUID userId;
    private volatile @Nullable PoolGrant grant;
    /** Rates derived from {@link #grant}, swapped with it; null members are unlimited. */
    private volatile Rates rates = Rates.NONE;
    private final PoolThreads threads = new PoolThreads();
    /** Pool bytes carried and not yet written as usage records. */
    private final AtomicLong pending = new AtomicLong();
    private final ConcurrentHashMap<InetAddress, PerIp> perIp = new ConcurrentHashMap<>();
    /** Every pool channel holding a thread of this account (kicked on lockout). */
    final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    /** Epoch ms since when the account has been over its thread limit; -1 while it is not. */
    private volatile long overSinceMillis = -1;
    /** Epoch ms until which the account is locked out; 0 when it is not. */
    private volatile long lockedUntilMillis;

    record Rates(@Nullable PoolRate requests, @Nullable PoolRate bytesUp, @Nullable PoolRate bytesDown) {
        static final Rates NONE = new Rates(null, null, null);
    }

    /** Per client IP of this account: sockets open and its request rate. */
    static final class PerIp {
        final AtomicInteger connections = new AtomicInteger();
        volatile @Nullable PoolRate requests;
        volatile long requestsPerSecond;
    }

    PoolAccount(UUID userId) {
        this.userId = userId;
    }

    UUID userId() {
        return userId;
    }

    @Nullable PoolGrant grant() {
        return grant;
    }

    /** Takes a fresh grant from the control plane; rates are rebuilt only when they changed. */
    void update(@Nullable PoolGrant next) {
        PoolGrant previous = grant;
        grant = next;
        if (next == null) {
            rates = Rates.NONE;
            return;
        }
        if (previous == null || previous.requestsPerSecond() != next.requestsPerSecond()
                || previous.bytesPerSecondTotal() != next.bytesPerSecondTotal()) {
            long burst = PoolExitStream.SHAPING_BURST_NANOS;
            rates = new Rates(
                    next.requestsPerSecond() > 0 ? new PoolRate(next.requestsPerSecond(), 1_000_000_000L) : null,
                    next.bytesPerSecondTotal() > 0 ? new PoolRate(next.bytesPerSecondTotal(), burst) : null,
                    next.bytesPerSecondTotal() > 0 ? new PoolRate(next.bytesPerSecondTotal(), burst) : null);
        }
    }

    Rates rates() {
        return rates;
    }

    /** Sockets the account holds on pool ports now. */
    int threads() {
        return threads.held();
    }

    /**
     * The thread-limit check ({@link PoolThreads#tryAcquire}).
     *
     * @param max the plan's threads, 0 = unlimited
     * @return whether a thread was taken (give it back with {@link #releaseThread})
     */
    boolean tryAcquireThread(int max) {
        return threads.tryAcquire(max);
    }

    /** Gives a thread back; the strike clock stops once the account is below its limit again. */
    void releaseThread() {
        int n = threads.release();
        PoolGrant g = grant;
        if (overSinceMillis >= 0 && (g == null || g.maxThreads() == 0 || n < g.maxThreads())) {
            overSinceMillis = -1;
        }
    }

    /** Pool bytes carried (both directions), not yet in a written usage record. */
    void carried(long bytes) {
        pending.addAndGet(bytes);
    }

    /** Bytes of written pool usage records: no longer pending. */
    void persisted(long bytes) {
        pending.accumulateAndGet(bytes, (p, b) -> Math.max(0, p - b));
    }

    /** Whether the grant's quota minus the pending bytes is used up. */
    boolean quotaExhausted() {
        PoolGrant g = grant;
        return g != null && g.remainingBytes() != AccountLimits.UNLIMITED_BYTES && g.remainingBytes() - pending.get() <= 0;
    }

    /** @return the lockout's end, or null when the account is not locked out at {@code nowMillis} */
    @Nullable Instant lockedUntil(long nowMillis) {
        long until = lockedUntilMillis;
        return until > nowMillis ? Instant.ofEpochMilli(until) : null;
    }

    /**
     * A socket was refused while the account holds its thread limit: starts the strike clock, or
     * reports that it has run for {@code strikeAfter}.
     *
     * @return true when the account is now to be kicked and locked out
     */
    boolean overLimit(long nowMillis, Duration strikeAfter) {
        long since = overSinceMillis;
        if (since < 0) {
            overSinceMillis = nowMillis;
            return false;
        }
        return nowMillis - since >= strikeAfter.toMillis();
    }

    /** The periodic strike check: the clock has run for {@code strikeAfter} and the account is still at its limit. */
    boolean strikeDue(long nowMillis, Duration strikeAfter) {
        long since = overSinceMillis;
        PoolGrant g = grant;
        return since >= 0 && g != null && g.maxThreads() > 0 && threads.held() >= g.maxThreads()
                && nowMillis - since >= strikeAfter.toMillis();
    }

    /** Locks the account out until {@code untilMillis} and closes every pool socket it holds. */
    void lockOut(long untilMillis) {
        lockedUntilMillis = untilMillis;
        overSinceMillis = -1;
        for (Channel c : channels) {
            c.close();
        }
    }

    /**
     * Closes the pool sockets the grant no longer covers (docs/upstream-pool.md#limits): every one when
     * there is no grant any more (revoked, banned) or it has expired at {@code nowMillis}; else those on
     * ports it no longer includes, then any above a lowered thread limit (the limit's worth stay open).
     * Closing releases each socket's thread through its close listener.
     *
     * @return sockets told to close
     */
    int closeUncovered(long nowMillis) {
        PoolGrant g = grant;
        int closed = 0;
        boolean all = g == null || g.expiredAt(Instant.ofEpochMilli(nowMillis));
        java.util.List<Channel> kept = new java.util.ArrayList<>();
        for (Channel c : channels) {
            if (!c.isOpen()) {
                continue; // closing already; its release is on the way
            }
            if (all || (c.localAddress() instanceof java.net.InetSocketAddress local && !g.allowsPort(local.getPort()))) {
                c.close();
                closed++;
            } else {
                kept.add(c);
            }
        }
        if (!all && g.maxThreads() > 0 && kept.size() > g.maxThreads()) {
            for (Channel c : kept.subList(g.maxThreads(), kept.size())) {
                c.close();
                closed++;
            }
        }
        return closed;
    }

    /** The counters of client IP {@code ip}, created on first use. */
    PerIp perIp(InetAddress ip) {
        return perIp.computeIfAbsent(ip, k -> new PerIp());
    }

    /** Drops the counters of {@code ip} once it holds no socket (bounded memory). */
    void forgetIp(InetAddress ip, PerIp state) {
        if (state.connections.get() == 0) {
            perIp.remove(ip, state);
        }
    }

    /** A refusal with {@code error}. */
    static Refusal refusal(ProxyError error, String detail, @Nullable Duration retryAfter) {
        return new Refusal(error, detail, retryAfter);
    }
}
