package io.iploop.gateway.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.ProxyAuthenticator;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Caches {@link ProxyAuthenticator} outcomes (accepted and rejected) for a short time, keyed by
 * customer id, key hash and client IP, so a disabled key stops working within the TTL
 * (DESIGN §3, default 5 s). The authenticator is called on {@code executor}, never on the
 * caller's thread (it may block); a failed call is not cached. Thread-safe.
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
                .executor(executor)
                .buildAsync();
    }

    /**
     * @return the outcome; already complete on a cache hit. Completes exceptionally only when the
     *     authenticator does (credential store unavailable).
     */
    public CompletableFuture<AuthResult> authenticate(String customerId, String apiKeySha256Hex, InetAddress client) {
        return cache.get(new Key(customerId, apiKeySha256Hex, client), (k, ignored) ->
                CompletableFuture.supplyAsync(
                                () -> authenticator.authenticate(k.customerId(), k.apiKeySha256Hex(), k.client()), executor)
                        .thenCompose(stage -> stage));
    }

    /** Forgets every cached outcome (e.g. after a key was revoked). */
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }
}
