package io.iploop.gateway.proxy;

import io.iploop.gateway.auth.CredentialException;
import io.iploop.gateway.auth.ProxyAuthCache;
import io.iploop.gateway.auth.ProxyCredentials;
import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.limits.AccountLimiter;
import io.iploop.gateway.limits.Limits;
import io.iploop.gateway.limits.Refusal;
import io.iploop.gateway.limits.SubUserLimiter;
import io.iploop.gateway.metering.UsageBatcher;
import io.iploop.gateway.routing.Targeting;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.KeyHashes;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Checks a customer's user name and password for either listener: parse
 * (docs/product/proxy.md#credentials), then the
 * cached {@link io.iploop.gateway.spi.ProxyAuthenticator}. A password whose key is well-formed
 * but whose parameters are not is still authenticated, so the refusal is attributed to the
 * customer (a usage record with {@code invalid_targeting}). An accepted customer's
 * {@link AccountLimiter} is loaded with the outcome, and {@link #admit} then checks the plan's
 * limits on the event loop. Stateless, thread-safe.
 */
public final class ProxyAuthentication {

    /**
     * The outcome.
     *
     * @param principal the customer, when the key was accepted (also for refusals after it)
     * @param error null when the request may proceed
     * @param detail message for the customer when refused
     * @param limiter the account's plan limits, when the request may proceed
     * @param apiKeySha256Hex SHA-256 (hex) of the accepted API key (or sub-user secret), or null
     * @param subLimiter the sub-user's own limits (docs/sub-users.md#limits) when the credentials
     *     are a sub-user's and the request may proceed, else null
     */
    public record Outcome(
            @Nullable CustomerPrincipal principal,
            Targeting targeting,
            @Nullable ProxyError error,
            String detail,
            @Nullable AccountLimiter limiter,
            @Nullable String apiKeySha256Hex,
            @Nullable SubUserLimiter subLimiter) {

        /** An outcome without a sub-user. */
        public Outcome(@Nullable CustomerPrincipal principal, Targeting targeting, @Nullable ProxyError error, String detail,
                @Nullable AccountLimiter limiter, @Nullable String apiKeySha256Hex) {
            this(principal, targeting, error, detail, limiter, apiKeySha256Hex, null);
        }

        static Outcome refused(ProxyError error, String detail, @Nullable CustomerPrincipal principal) {
            return new Outcome(principal, Targeting.NONE, error, detail, null, null);
        }
    }

    private static final Duration METERING_RETRY = Duration.ofSeconds(30);

    private ProxyAuthentication() {}

    /**
     * Checks the credentials, then loads the account's limiter (cached after the first request).
     *
     * @return never completes exceptionally
     */
    public static CompletableFuture<Outcome> authenticate(
            ProxyAuthCache cache, Limits limits, String username, String password, InetAddress client) {
        return credentials(cache, username, password, client).thenCompose(outcome -> withLimiter(limits, outcome));
    }

    /**
     * As {@link #authenticate(ProxyAuthCache, Limits, String, String, InetAddress)} with the
     * listener's {@link ProxyServices}, then {@link ProxyAdmission#prepare} of its admission for an
     * accepted customer.
     *
     * @return never completes exceptionally
     */
    public static CompletableFuture<Outcome> authenticate(ProxyServices services, String username, String password,
            InetAddress client) {
        return authenticate(services.auth(), services.limits(), username, password, client)
                .thenCompose(o -> prepared(services.admission(), o));
    }

    /**
     * As {@link #authenticateAddress(ProxyAuthCache, Limits, InetAddress, String)} with the
     * listener's {@link ProxyServices}, then {@link ProxyAdmission#prepare}.
     *
     * @return never completes exceptionally
     */
    public static CompletableFuture<Outcome> authenticateAddress(ProxyServices services, InetAddress client,
            @Nullable String targetingOverride) {
        return authenticateAddress(services.auth(), services.limits(), client, targetingOverride)
                .thenCompose(o -> prepared(services.admission(), o));
    }

    private static CompletableFuture<Outcome> prepared(ProxyAdmission admission, Outcome outcome) {
        CustomerPrincipal principal = outcome.principal();
        if (admission == ProxyAdmission.NONE || principal == null || outcome.error() != null) {
            return CompletableFuture.completedFuture(outcome);
        }
        CompletableFuture<@Nullable Void> ready;
        try {
            ready = admission.prepare(principal);
        } catch (RuntimeException e) {
            ready = CompletableFuture.failedFuture(e);
        }
        return ready.handle((v, failure) -> failure == null ? outcome
                : Outcome.refused(ProxyError.AUTH_UNAVAILABLE, "the pool access of the account is unavailable; retry shortly",
                        principal));
    }

    /**
     * The plan check ({@link #admit(ProxyConnection, AccountLimiter, SubUserLimiter, Targeting, UsageBatcher)}),
     * then the listener's own {@link ProxyAdmission}, on the channel's event loop.
     *
     * @return null if the request may proceed
     */
    public static @Nullable Refusal admit(ProxyServices services, Channel channel, ProxyConnection connection,
            AccountLimiter limiter, @Nullable SubUserLimiter subLimiter, Targeting targeting) {
        Refusal refusal = admit(connection, limiter, subLimiter, targeting, services.usage());
        CustomerPrincipal principal = connection.principal();
        if (refusal != null || principal == null || services.admission() == ProxyAdmission.NONE) {
            return refusal;
        }
        refusal = services.admission().admit(channel, connection, principal);
        if (refusal != null) {
            connection.admitted(false);
        }
        return refusal;
    }

    private static CompletableFuture<Outcome> withLimiter(Limits limits, Outcome outcome) {
        CustomerPrincipal principal = outcome.principal();
        if (outcome.error() != null || principal == null) {
            return CompletableFuture.completedFuture(outcome);
        }
        UUID subUserId = principal.subUserId();
        CompletableFuture<@Nullable SubUserLimiter> sub = subUserId == null
                ? CompletableFuture.completedFuture(null)
                : limits.subUserLimiter(subUserId).thenApply(l -> l);
        return limits.limiter(principal.userId()).thenCombine(sub, (limiter, subLimiter) ->
                        new Outcome(principal, limiter.capLifetime(outcome.targeting()), null, "", limiter,
                                outcome.apiKeySha256Hex(), subLimiter))
                .exceptionally(failure ->
                        Outcome.refused(ProxyError.AUTH_UNAVAILABLE, "the plan limits are unavailable; retry shortly", principal));
    }

    /**
     * IP-authorised access (docs/ip-authorised-access.md) for a request without credentials: the
     * account that authorised {@code client} (cached like credentials), served with the address's
     * default targeting, or with {@code targetingOverride} instead when given (the HTTP proxy's
     * {@code X-IPLoop-Targeting} header); then the account's limiter as for credentials. An address
     * no account authorised is refused with {@link ProxyError#MISSING_CREDENTIALS} (407).
     *
     * @param targetingOverride {@code name-value} pairs replacing the default targeting, or null
     * @return never completes exceptionally
     */
    public static CompletableFuture<Outcome> authenticateAddress(
            ProxyAuthCache cache, Limits limits, InetAddress client, @Nullable String targetingOverride) {
        return cache.authenticateAddress(client).handle((result, failure) -> {
            Outcome o = fromResult(result, failure, Targeting.NONE, null);
            if (o.error() == ProxyError.BAD_CREDENTIALS) {
                return Outcome.refused(ProxyError.MISSING_CREDENTIALS, o.detail(), null);
            }
            if (o.error() != null || !(result instanceof AuthResult.Accepted accepted)) {
                return o;
            }
            String parameters = targetingOverride != null ? targetingOverride : accepted.defaultTargeting();
            try {
                Targeting targeting = parameters == null ? Targeting.NONE : ProxyCredentials.parseTargeting(parameters);
                return new Outcome(o.principal(), targeting, null, "", null, null);
            } catch (CredentialException e) {
                String source = targetingOverride != null ? "X-IPLoop-Targeting: " : "the address's default targeting: ";
                return Outcome.refused(ProxyError.INVALID_TARGETING, source + e.getMessage(), o.principal());
            }
        }).thenCompose(outcome -> withLimiter(limits, outcome));
    }

    /**
     * The plan check of one request, on the connection's event loop: nothing is admitted while
     * {@code usage} could not record it ({@link UsageBatcher#admitting()}); then the connection takes
     * (or keeps) a concurrency slot of the account, and {@link AccountLimiter#admit} checks
     * targeting, balance, rate and the daily count (docs/product/plans.md#rate-limits).
     *
     * @return null if the request may proceed
     */
    public static @Nullable Refusal admit(ProxyConnection connection, AccountLimiter limiter, Targeting targeting,
            UsageBatcher usage) {
        return admit(connection, limiter, null, targeting, usage);
    }

    /**
     * As {@link #admit(ProxyConnection, AccountLimiter, Targeting, UsageBatcher)} for a sub-user's
     * request: the connection takes (or keeps) a slot of the account and one of the sub-user
     * ({@link SubUserLimiter#tryAcquire}), the sub-user's own limits ({@link SubUserLimiter#admit})
     * are checked first, then the account's plan, and the request's bytes spend both budgets
     * (docs/sub-users.md#limits).
     *
     * @param subLimiter the sub-user's limiter, null for the account's own key
     * @return null if the request may proceed
     */
    public static @Nullable Refusal admit(ProxyConnection connection, AccountLimiter limiter,
            @Nullable SubUserLimiter subLimiter, Targeting targeting, UsageBatcher usage) {
        connection.admitted(false);
        connection.subLimiter(subLimiter);
        if (!usage.admitting()) {
            return new Refusal(ProxyError.METERING_UNAVAILABLE,
                    "usage cannot be recorded right now (the usage store is unreachable); retry later", METERING_RETRY);
        }
        if (!connection.holdSlot(limiter)) {
            return new Refusal(ProxyError.CONCURRENCY_LIMITED,
                    "more than " + limiter.limits().maxConcurrentConnections() + " concurrent connections",
                    Duration.ofSeconds(1));
        }
        // The sub-user's own connection limit on top of the account's (both slots are held until
        // the connection closes; docs/sub-users.md#limits).
        if (!connection.holdSubSlot(subLimiter)) {
            return new Refusal(ProxyError.CONCURRENCY_LIMITED,
                    "more than " + (subLimiter == null ? 0 : subLimiter.limits().maxConcurrentConnections())
                            + " concurrent connections for this sub-user",
                    Duration.ofSeconds(1));
        }
        Refusal refusal = subLimiter == null ? null : subLimiter.admit(targeting);
        if (refusal == null) {
            refusal = limiter.admit(targeting);
        }
        connection.admitted(refusal == null);
        int premium = refusal == null ? limiter.premiumMask(targeting) : 0;
        connection.premiumMask(premium);
        limiter.premiumCarried(premium);
        return refusal;
    }

    private static CompletableFuture<Outcome> credentials(
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
            return cache.authenticate(username, KeyHashes.sha256Hex(key), client)
                    .handle((result, failure) -> {
                        Outcome o = fromResult(result, failure, Targeting.NONE, null);
                        return o.error() == null ? Outcome.refused(ProxyError.INVALID_TARGETING, e.getMessage(), o.principal()) : o;
                    });
        }
        Targeting targeting = credentials.targeting();
        String keyHash = credentials.apiKeySha256Hex();
        return cache.authenticate(username, keyHash, client)
                .handle((result, failure) -> fromResult(result, failure, targeting, keyHash));
    }

    private static Outcome fromResult(@Nullable AuthResult result, @Nullable Throwable failure, Targeting targeting,
            @Nullable String apiKeySha256Hex) {
        if (ProxyTunnels.rootCause(failure) instanceof RejectedExecutionException) {
            return Outcome.refused(ProxyError.OVERLOADED, "too many credential checks in progress; retry shortly", null);
        }
        if (failure != null || result == null) {
            return Outcome.refused(ProxyError.AUTH_UNAVAILABLE, "the credential check is unavailable; retry shortly", null);
        }
        return switch (result) {
            case AuthResult.Accepted a -> new Outcome(a.principal(), targeting, null, "", null, apiKeySha256Hex);
            case AuthResult.Rejected r -> Outcome.refused(ProxyError.of(r.reason()), r.message(), null);
        };
    }
}
