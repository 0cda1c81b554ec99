package io.iploop.server.pool;

import io.iploop.gateway.spi.PoolGrant;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The upstream pool's public API (docs/upstream-pool.md). {@code actorId} is the admin acting (the
 * token's owner for admin API tokens); every change is audited. Thread-safe.
 */
public interface PoolService {

    /** Scopes an admin API token may carry. */
    Set<String> TOKEN_SCOPES = Set.of("pool:read", "pool:write");

    /**
     * Parses {@code text} in the upstream file format and imports it; {@code actorId} null for the
     * system (the watched {@code IPLOOP_POOL_FILE}).
     *
     * @throws PoolException {@code INVALID_UPSTREAMS} naming every bad line (nothing written), or
     *     {@code POOL_PORTS_EXHAUSTED}
     */
    ImportReport importText(@Nullable UUID actorId, String text, ImportMode mode);

    /**
     * Imports {@code upstreams}: known ones (same {@link UpstreamSpec#identity()}) keep their port,
     * new ones get the lowest free ports of the configured range; with {@link ImportMode#REPLACE}
     * the others are removed. All or nothing. Publishes {@link PoolUpstreamsChanged} when anything changed.
     *
     * @throws PoolException {@code INVALID_UPSTREAMS} on duplicates, {@code POOL_PORTS_EXHAUSTED}
     */
    ImportReport importUpstreams(@Nullable UUID actorId, List<UpstreamSpec> upstreams, ImportMode mode);

    /** Every upstream by port, without passwords. */
    List<PoolUpstreamView> upstreams();

    /**
     * Removes the upstream on {@code port}.
     *
     * @throws PoolException {@code UPSTREAM_NOT_FOUND}
     */
    void deleteUpstream(UUID actorId, int port);

    /** The pool plans, by price. */
    List<PoolPlan> plans();

    /**
     * Adds a pool plan (e.g. a Custom plan for one customer).
     *
     * @throws PoolException {@code INVALID_REQUEST} naming the field, {@code PLAN_EXISTS}
     */
    PoolPlan createPlan(UUID actorId, PoolPlan plan);

    /**
     * Grants (or changes) an account's pool subscription; a new grant starts its first quota period
     * now. {@code expiresAt} null: now + the plan's validity days (none when 0).
     *
     * @param ports {@code all} or a list such as {@code 4000-4099,4200}
     * @throws PoolException {@code PLAN_NOT_FOUND}, {@code INVALID_REQUEST} naming {@code ports} or
     *     {@code expiresAt}
     */
    PoolSubscription grant(UUID actorId, UUID userId, String planId, String ports, @Nullable Instant expiresAt);

    /** The account's pool subscription, if any. */
    Optional<PoolSubscription> subscription(UUID userId);

    /** Every pool subscription, newest first. */
    List<PoolSubscription> subscriptions();

    /**
     * Bans ({@code banned} true, with {@code reason}) or un-bans the account from the pool.
     *
     * @throws PoolException {@code NOT_FOUND} when it has no pool subscription
     */
    PoolSubscription setBanned(UUID actorId, UUID userId, boolean banned, @Nullable String reason);

    /**
     * What the account may do on the pool now: its plan's limits, ports, remaining quota of the
     * current monthly period and expiry; null without a subscription or when banned.
     */
    @Nullable PoolGrant access(UUID userId);

    /**
     * The pool ports the account may use right now: granted, bound to an upstream, access not expired
     * or banned, quota left; ascending.
     */
    List<Integer> usablePorts(UUID userId);

    /**
     * Creates an admin API token, shown once.
     *
     * @throws PoolException {@code INVALID_REQUEST} naming {@code scopes}, {@code name} or {@code expiresAt}
     */
    CreatedAdminToken createToken(UUID adminId, String name, Set<String> scopes, Instant expiresAt);

    /** Every admin API token, newest first. */
    List<AdminToken> tokens();

    /**
     * Revokes a token at once.
     *
     * @throws PoolException {@code TOKEN_NOT_FOUND}
     */
    void revokeToken(UUID adminId, UUID tokenId);
}
