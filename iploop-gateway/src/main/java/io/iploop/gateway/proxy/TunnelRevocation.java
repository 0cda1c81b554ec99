package io.iploop.gateway.proxy;

import io.iploop.gateway.auth.ProxyAuthCache;
import io.iploop.gateway.limits.Limits;
import io.iploop.gateway.spi.AccountHold;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes open CONNECT / SOCKS5 tunnels whose credentials stopped being valid (docs/security.md):
 * the open tunnels are kept per credentials (customer id, key hash, client IP: the
 * {@link ProxyAuthCache} key), and one periodic sweep re-checks each distinct credentials through
 * the same {@link ProxyAuthCache} (so with its TTL and its fallback while the credential store is
 * down) and the account's {@link Limits}. A definite rejection (revoked key, suspended account)
 * or an account hold closes the customer channels of those credentials, which ends the exit stream
 * and records the usage as any other end; a failing or full store closes nothing.
 *
 * <p>Cost on the data path: one set add when a tunnel starts and one remove when it ends. The
 * timer only hands the sweep to the (bounded) auth executor, never runs it on an event loop.
 * Thread-safe.
 */
public final class TunnelRevocation implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TunnelRevocation.class);

    private record Credentials(String customerId, String apiKeySha256Hex, InetAddress client, UUID userId) {}

    private final ConcurrentHashMap<Credentials, Set<Channel>> open = new ConcurrentHashMap<>();
    private volatile @Nullable ScheduledFuture<?> sweep;

    /** A registry without a sweep (pipelines on an embedded channel); see {@link #sweepEvery}. */
    public TunnelRevocation() {}

    /**
     * Starts the sweep: every {@code period} (the auth cache TTL), {@code timer} hands one pass to
     * {@code executor}, which re-checks the credentials of the open tunnels. A full executor skips
     * that pass. Call once.
     */
    public void sweepEvery(EventExecutor timer, Executor executor, ProxyAuthCache auth, Limits limits, Duration period) {
        long nanos = Math.max(1, period.toNanos());
        sweep = timer.scheduleAtFixedRate(() -> {
            try {
                executor.execute(() -> sweep(auth, limits));
            } catch (RejectedExecutionException e) {
                log.debug("tunnel credential sweep skipped: auth executor full");
            }
        }, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /** Tunnels open now (all credentials). */
    public int openTunnels() {
        return open.values().stream().mapToInt(Set::size).sum();
    }

    /**
     * Registers the tunnel on {@code channel} under its connection's credentials until the channel
     * closes; a tunnel served by IP-authorised access (no key) under its client address, re-checked
     * by address. A connection without a principal is not registered. Call on the
     * channel's event loop.
     */
    void opened(Channel channel, ProxyConnection connection) {
        CustomerPrincipal principal = connection.principal();
        String keyHash = connection.apiKeySha256Hex();
        if (principal == null || (keyHash == null && principal.apiKeyId() != null)) {
            return;
        }
        // No key at all: IP-authorised access (docs/ip-authorised-access.md), re-checked by address;
        // an empty customer id marks it (real ones are never empty).
        Credentials k = keyHash == null
                ? new Credentials("", "", connection.clientAddress(), principal.userId())
                : new Credentials(principal.customerId(), keyHash, connection.clientAddress(), principal.userId());
        open.compute(k, (x, set) -> {
            Set<Channel> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(channel);
            return s;
        });
        channel.closeFuture().addListener(f -> open.computeIfPresent(k, (x, set) -> {
            set.remove(channel);
            return set.isEmpty() ? null : set;
        }));
    }

    private void sweep(ProxyAuthCache auth, Limits limits) {
        for (Credentials k : open.keySet()) {
            boolean byAddress = k.customerId().isEmpty();
            (byAddress ? auth.authenticateAddress(k.client()) : auth.authenticate(k.customerId(), k.apiKeySha256Hex(), k.client()))
                    .whenComplete((result, failure) -> {
                        if (result instanceof AuthResult.Rejected r) {
                            closeAll(k, (byAddress ? "address no longer authorised: " : "credentials rejected: ") + r.reason());
                        } else if (byAddress && result instanceof AuthResult.Accepted a && !a.principal().userId().equals(k.userId())) {
                            closeAll(k, "address now authorised for another account");
                        }
                    });
            limits.limiter(k.userId()).whenComplete((limiter, failure) -> {
                AccountHold hold = limiter == null ? null : limiter.limits().hold();
                if (hold != null) {
                    closeAll(k, "account hold: " + hold);
                }
            });
        }
    }

    private void closeAll(Credentials k, String why) {
        Set<Channel> channels = open.get(k);
        if (channels == null) {
            return;
        }
        for (Channel ch : channels) {
            log.info("closing a tunnel of {} from {}: {}", k.customerId().isEmpty() ? k.userId() : k.customerId(),
                    k.client().getHostAddress(), why);
            ch.close();
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> s = sweep;
        if (s != null) {
            s.cancel(false);
        }
    }
}
