package io.iploop.gateway.proxy;

import io.iploop.gateway.auth.CredentialException;
import io.iploop.gateway.auth.ProxyAuthCache;
import io.iploop.gateway.auth.ProxyCredentials;
import io.iploop.gateway.auth.Targeting;
import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Checks a customer's user name and password for either listener: parse (DESIGN §3), then the
 * cached {@link io.iploop.gateway.spi.ProxyAuthenticator}. A password whose key is well-formed
 * but whose parameters are not is still authenticated, so the refusal is attributed to the
 * customer (a usage record with {@code invalid_targeting}). Stateless, thread-safe.
 */
public final class ProxyAuthentication {

    /**
     * The outcome.
     *
     * @param principal the customer, when the key was accepted (also for refusals after it)
     * @param error null when the request may proceed
     * @param detail message for the customer when refused
     */
    public record Outcome(
            @Nullable CustomerPrincipal principal, Targeting targeting, @Nullable ProxyError error, String detail) {

        static Outcome refused(ProxyError error, String detail, @Nullable CustomerPrincipal principal) {
            return new Outcome(principal, Targeting.NONE, error, detail);
        }
    }

    private ProxyAuthentication() {}

    /** @return never completes exceptionally */
    public static CompletableFuture<Outcome> authenticate(
            ProxyAuthCache cache, String username, String password, InetAddress client) {
        ProxyCredentials credentials;
        try {
            credentials = ProxyCredentials.parse(username, password);
        } catch (CredentialException e) {
            if (e.error() != ProxyError.INVALID_TARGETING) {
                return CompletableFuture.completedFuture(Outcome.refused(e.error(), e.getMessage(), null));
            }
            String key;
            try {
                key = ProxyCredentials.parseApiKey(password);
            } catch (CredentialException bad) {
                return CompletableFuture.completedFuture(Outcome.refused(bad.error(), bad.getMessage(), null));
            }
            return cache.authenticate(username, ProxyCredentials.sha256Hex(key), client)
                    .handle((result, failure) -> {
                        Outcome o = fromResult(result, failure, Targeting.NONE);
                        return o.error() == null ? Outcome.refused(ProxyError.INVALID_TARGETING, e.getMessage(), o.principal()) : o;
                    });
        }
        Targeting targeting = credentials.targeting();
        return cache.authenticate(username, credentials.apiKeySha256Hex(), client)
                .handle((result, failure) -> fromResult(result, failure, targeting));
    }

    private static Outcome fromResult(@Nullable AuthResult result, @Nullable Throwable failure, Targeting targeting) {
        if (failure != null || result == null) {
            return Outcome.refused(ProxyError.AUTH_UNAVAILABLE, "the credential check is unavailable; retry shortly", null);
        }
        return switch (result) {
            case AuthResult.Accepted a -> new Outcome(a.principal(), capLifetime(targeting, a.principal()), null, "");
            case AuthResult.Rejected r -> Outcome.refused(ProxyError.of(r.reason()), r.message(), null);
        };
    }

    /** DESIGN §3: {@code lifetime} is capped by the plan. */
    static Targeting capLifetime(Targeting targeting, CustomerPrincipal principal) {
        Duration lifetime = targeting.lifetime();
        if (lifetime != null && principal.maxStickyLifetimeSeconds() > 0
                && lifetime.toSeconds() > principal.maxStickyLifetimeSeconds()) {
            return targeting.withLifetime(Duration.ofSeconds(principal.maxStickyLifetimeSeconds()));
        }
        return targeting;
    }
}
