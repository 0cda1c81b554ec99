package io.iploop.gateway.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.ProxyAuthenticator;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Caches {@link ProxyAuthenticator} outcomes (accepted and rejected) for a short time, keyed by
 * customer id, key hash and client IP, so a disabled key stops working within the TTL
 * (default 5 s). The authenticator is called on {@code executor}, never on the
 * caller's thread (it may block); a failed call is not cached. With a bounded executor
 * ({@link io.iploop.gateway.limits.BoundedExecutors}) that is full, the check fails at once with
 * {@link RejectedExecutionException} instead of queueing.
 *
 * <p>While the credential store is down (the database stopped), customers already authenticated
 * keep working ({@code docs/operations.md#when-the-database-is-down}): when a fresh check fails, or
 * does not answer within {@link #STALE_WAIT}, the last accepted outcome for the same credentials and
 * client IP, if it is at most {@link #STALE_MAX} old, is used. A rejection (a revoked key) removes
 * that fallback at once, so it never outlives a check that answered. Credentials never accepted get
 * the failure (503 {@code auth_unavailable}). Thread-safe.
 */
public final class ProxyAuthCache {

    private record Key(String customerId, String apiKeySha256Hex, InetAddress client) {}

    private final ProxyAuthenticator authenticator;
    private final Executor executor;
    private final AsyncCache<Key, AuthResult> cache;
    /** The last accepted outcome per key, for when the store is unavailable. */
    private final Cache<Key, AuthResult> lastAccepted;

    /** How long an accepted outcome may stand in for a check that fails. */
    public static final Duration STALE_MAX = Duration.ofMinutes(15);
    /** How long a known customer waits for a fresh check before the last accepted outcome is used. */
    public static final Duration STALE_WAIT = Duration.ofSeconds(2);

    /**
     * @param ttl how long an outcome is reused
     * @param executor runs the (possibly blocking) authenticator calls
     */
    public ProxyAuthCache(ProxyAuthenticator authenticator, Duration ttl, Executor executor) {
        this.authenticator = authenticator;
        this.executor = executor;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumSize(100_000)
                .buildAsync();
        this.lastAccepted = Caffeine.newBuilder()
                .expireAfterWrite(STALE_MAX)
                .maximumSize(100_000)
                .build();
    }

    /**
     * @return the outcome; already complete on a cache hit. Completes exceptionally only when the
     *     authenticator does (credential store unavailable), or with
     *     {@link RejectedExecutionException} when the executor is full (nothing is cached then), and
     *     no recent accepted outcome for these credentials can stand in (see the class comment)
     */
    public CompletableFuture<AuthResult> authenticate(String customerId, String apiKeySha256Hex, InetAddress client) {
        return lookup(new Key(customerId, apiKeySha256Hex, client));
    }

    /**
     * IP-authorised access (docs/ip-authorised-access.md): which account, if any, lets {@code client}
     * use the proxy without credentials ({@link ProxyAuthenticator#authenticateAddress}). Cached
     * with the same expiry and the same store-down fallback as {@link #authenticate}, so a removed
     * authorisation stops working within the same window as a revoked key.
     *
     * @return as {@link #authenticate}
     */
    public CompletableFuture<AuthResult> authenticateAddress(InetAddress client) {
        // Customer ids are never empty, so this key cannot collide with a credentials check.
        return lookup(new Key("", "", client));
    }

    private CompletableFuture<AuthResult> lookup(Key key) {
        CompletableFuture<AuthResult> fresh;
        try {
            fresh = cache.get(key, (k, ignored) ->
                    CompletableFuture.supplyAsync(
                                    () -> k.customerId().isEmpty()
                                            ? authenticator.authenticateAddress(k.client())
                                            : authenticator.authenticate(k.customerId(), k.apiKeySha256Hex(), k.client()),
                                    executor)
                            .thenCompose(stage -> stage)
                            .whenComplete((result, failure) -> remember(k, result)));
        } catch (RejectedExecutionException e) {
            fresh = CompletableFuture.failedFuture(e);
        }
        if (fresh.isDone() && !fresh.isCompletedExceptionally()) {
            return fresh; // the usual case: a cache hit
        }
        AuthResult stale = lastAccepted.getIfPresent(key);
        if (stale == null) {
            return fresh;
        }
        return fresh.handle((result, failure) -> failure == null ? result : stale)
                .completeOnTimeout(stale, STALE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void remember(Key key, @Nullable AuthResult result) {
        if (result instanceof AuthResult.Accepted) {
            lastAccepted.put(key, result);
        } else if (result != null) {
            lastAccepted.invalidate(key);
        }
    }

    /** Forgets every cached outcome (e.g. after a key was revoked). */
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
        lastAccepted.invalidateAll();
    }
}
