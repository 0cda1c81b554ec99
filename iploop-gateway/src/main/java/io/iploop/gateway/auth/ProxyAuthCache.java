package io.iploop.gateway.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.ProxyAuthenticator;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Caches {@link ProxyAuthenticator} outcomes (accepted and rejected) for a short time, keyed by
 * customer id, key hash and client IP, so a disabled key stops working within the TTL
 * (DESIGN §3, default 5 s). The authenticator is called on {@code executor}, never on the
 * caller's thread (it may block); a failed call is not cached. With a bounded executor
 * ({@link io.iploop.gateway.limits.BoundedExecutors}) that is full, the check fails at once with
 * {@link RejectedExecutionException} instead of queueing. Thread-safe.
 */
public final class ProxyAuthCache {

    private record Key(String customerId, String apiKeySha256Hex, InetAddress client) {}

    private final ProxyAuthenticator authenticator;
    private final Executor executor;
    private final AsyncCache<Key, AuthResult> cache;

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
    }

    /**
     * @return the outcome; already complete on a cache hit. Completes exceptionally only when the
     *     authenticator does (credential store unavailable), or with
     *     {@link RejectedExecutionException} when the executor is full (nothing is cached then)
     */
    public CompletableFuture<AuthResult> authenticate(String customerId, String apiKeySha256Hex, InetAddress client) {
        try {
            return cache.get(new Key(customerId, apiKeySha256Hex, client), (k, ignored) ->
                    CompletableFuture.supplyAsync(
                                    () -> authenticator.authenticate(k.customerId(), k.apiKeySha256Hex(), k.client()), executor)
                            .thenCompose(stage -> stage));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Forgets every cached outcome (e.g. after a key was revoked). */
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }
}
