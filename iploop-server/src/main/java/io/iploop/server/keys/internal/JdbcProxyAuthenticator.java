package io.iploop.server.keys.internal;

import io.iploop.server.keys.KeyOwners;
import io.iploop.server.keys.SubUserCredentials;
import io.iploop.gateway.spi.AuthResult;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.gateway.spi.SubUserNames;
import jakarta.annotation.PreDestroy;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The gateway's {@link ProxyAuthenticator} (docs/product/proxy.md#credentials): accepts a key only
 * if it exists, belongs to
 * the customer id given as proxy username, is active, unexpired and not past its rotation grace
 * period, and its account (asked of the accounts feature through {@link KeyOwners}) carries that customer id and is
 * active. Everything else is {@code BAD_CREDENTIALS}
 * (407), with the same message whatever the cause, so a probe learns nothing about other customers'
 * keys. Valid credentials from a client IP outside the key's or the account's non-empty whitelist
 * (both must allow it) are {@code IP_NOT_WHITELISTED} (403). Plan rules (the sticky-session cap
 * among them) are not decided here: they reach the gateway through the plans feature's
 * {@code LimitsProvider}. Blocks on two indexed lookups, the key and the account (the gateway
 * calls it off the event loop and caches results for 5 s). {@code last_used_at} is recorded in memory and
 * written every 10 s and on shutdown, so authentication never waits for an UPDATE. A request without
 * credentials is served by {@link #authenticateAddress} when an account authorised the client's
 * address (docs/ip-authorised-access.md).
 *
 * <p>A username {@code CUSTOMERID-sub-NAME} ({@link SubUserNames}) is a sub-user's
 * (docs/sub-users.md#credentials): its secret is looked up through {@link SubUserCredentials} and
 * the same rules apply: the owner account active and carrying that customer id, the sub-user
 * enabled (else 407, with the same message as a wrong secret), unexpired (else 403
 * {@code sub_user_expired}), and the client IP on the sub-user's and the account's whitelists (403).
 * Thread-safe.
 */
@Component
class JdbcProxyAuthenticator implements ProxyAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(JdbcProxyAuthenticator.class);
    private static final AuthResult REJECTED = new AuthResult.Rejected(
            AuthResult.RejectReason.BAD_CREDENTIALS, "invalid customer id or API key");

    private final ApiKeyRepository keys;
    private final IpAuthorisationRepository ipAuthorisations;
    private final KeyOwners owners;
    private final SubUserCredentials subUsers;
    private final Clock clock;
    private final ConcurrentHashMap<UUID, Instant> pendingTouches = new ConcurrentHashMap<>();

    JdbcProxyAuthenticator(ApiKeyRepository keys, IpAuthorisationRepository ipAuthorisations, KeyOwners owners,
            SubUserCredentials subUsers) {
        this.keys = keys;
        this.ipAuthorisations = ipAuthorisations;
        this.owners = owners;
        this.subUsers = subUsers;
        this.clock = Clock.systemUTC();
    }

    @Override
    public CompletionStage<AuthResult> authenticate(String customerId, String apiKeySha256Hex, InetAddress clientAddress) {
        try {
            return CompletableFuture.completedFuture(check(customerId, apiKeySha256Hex, clientAddress));
        } catch (RuntimeException storeUnavailable) {
            return CompletableFuture.failedFuture(storeUnavailable);
        }
    }

    /**
     * IP-authorised access (docs/ip-authorised-access.md): the account whose entry holds
     * {@code clientAddress}, if that account is active; its customer id and the entry's default
     * targeting. Two indexed lookups, as for a key. Not whitelist-checked: the entry is the
     * account's own grant for that address.
     */
    @Override
    public CompletionStage<AuthResult> authenticateAddress(InetAddress clientAddress) {
        try {
            Optional<IpAuthorisationRepository.Match> match = ipAuthorisations.find(clientAddress);
            if (match.isEmpty()) {
                return CompletableFuture.completedFuture(NOT_AUTHORISED);
            }
            UUID userId = match.get().userId();
            Optional<String> customerId = owners.activeCustomerId(userId);
            if (customerId.isEmpty()) {
                return CompletableFuture.completedFuture(NOT_AUTHORISED);
            }
            String targeting = match.get().targeting();
            return CompletableFuture.completedFuture(new AuthResult.Accepted(
                    new CustomerPrincipal(userId, customerId.get(), null), targeting.isEmpty() ? null : targeting));
        } catch (RuntimeException storeUnavailable) {
            return CompletableFuture.failedFuture(storeUnavailable);
        }
    }

    private AuthResult check(String customerId, String keyHash, InetAddress clientAddress) {
        if (!keyHash.matches("[0-9a-f]{64}")) {
            return REJECTED;
        }
        SubUserNames.Parsed sub = SubUserNames.parse(customerId);
        if (sub != null) {
            return checkSubUser(customerId, sub, keyHash, clientAddress);
        }
        Optional<ApiKeyRepository.ProxyCredential> found = keys.findProxyCredential(keyHash);
        if (found.isEmpty()) {
            return REJECTED;
        }
        ApiKeyRepository.ProxyCredential c = found.get();
        Instant now = clock.instant();
        if (!c.active() || ended(c.expiresAt(), now) || ended(c.graceEndsAt(), now)) {
            return REJECTED;
        }
        Optional<String> ownerCustomerId = owners.activeCustomerId(c.userId());
        if (ownerCustomerId.isEmpty() || !ownerCustomerId.get().equals(customerId)) {
            return REJECTED;
        }
        if (!IpWhitelist.of(c.keyWhitelist()).allows(clientAddress)) {
            return notWhitelisted(clientAddress, "this API key's");
        }
        if (!IpWhitelist.of(c.accountWhitelist()).allows(clientAddress)) {
            return notWhitelisted(clientAddress, "the account's");
        }
        pendingTouches.merge(c.keyId(), now, (a, b) -> a.isAfter(b) ? a : b);
        return new AuthResult.Accepted(new CustomerPrincipal(c.userId(), customerId, c.keyId()));
    }

    private AuthResult checkSubUser(String username, SubUserNames.Parsed sub, String secretHash, InetAddress clientAddress) {
        Optional<SubUserCredentials.SubUserCredential> found = subUsers.find(sub.customerId(), sub.name(), secretHash);
        if (found.isEmpty() || !found.get().enabled()) {
            return REJECTED;
        }
        SubUserCredentials.SubUserCredential c = found.get();
        Optional<String> ownerCustomerId = owners.activeCustomerId(c.userId());
        if (ownerCustomerId.isEmpty() || !ownerCustomerId.get().equals(sub.customerId())) {
            return REJECTED;
        }
        if (ended(c.expiresAt(), clock.instant())) {
            return new AuthResult.Rejected(AuthResult.RejectReason.SUB_USER_EXPIRED,
                    "this sub-user expired; the account owner can extend it on the dashboard");
        }
        if (!IpWhitelist.of(c.ipWhitelist()).allows(clientAddress)) {
            return notWhitelisted(clientAddress, "this sub-user's");
        }
        if (!IpWhitelist.of(keys.accountWhitelist(c.userId())).allows(clientAddress)) {
            return notWhitelisted(clientAddress, "the account's");
        }
        return new AuthResult.Accepted(new CustomerPrincipal(c.userId(), username, null, c.subUserId()));
    }

    private static boolean ended(@Nullable Instant deadline, Instant now) {
        return deadline != null && !deadline.isAfter(now);
    }

    private static AuthResult notWhitelisted(InetAddress client, String whose) {
        return new AuthResult.Rejected(AuthResult.RejectReason.IP_NOT_WHITELISTED,
                "client IP " + client.getHostAddress() + " is not on " + whose + " IP whitelist");
    }

    /** Writes pending {@code last_used_at} values. */
    @Scheduled(fixedDelayString = "10s", initialDelayString = "10s")
    void flushTouches() {
        if (pendingTouches.isEmpty()) {
            return;
        }
        Map<UUID, Instant> batch = new HashMap<>();
        for (UUID id : pendingTouches.keySet()) {
            Instant at = pendingTouches.remove(id);
            if (at != null) {
                batch.put(id, at);
            }
        }
        try {
            keys.touch(batch);
        } catch (RuntimeException e) {
            log.warn("Could not record API key last use ({} keys); will retry", batch.size(), e);
            batch.forEach((id, at) -> pendingTouches.merge(id, at, (a, b) -> a.isAfter(b) ? a : b));
        }
    }

    @PreDestroy
    void close() {
        flushTouches();
    }
}
