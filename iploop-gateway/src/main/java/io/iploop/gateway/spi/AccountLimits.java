package io.iploop.gateway.spi;

import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An account's plan limits and entitlements plus its remaining byte balance, as the control plane
 * knows them now (docs/product/plans.md#rate-limits, #entitlements). Limits are shared by all keys of the account.
 * Immutable.
 *
 * @param requestsPerSecond sustained requests per second (token bucket, burst of one second); 0 = unlimited
 * @param requestsPerDay requests per UTC day; 0 = unlimited
 * @param maxConcurrentConnections customer connections open at once; 0 = unlimited
 * @param remainingBytes bytes the account may still carry (balance or the plan's included GB for
 *     the period, minus what is used); {@link #UNLIMITED_BYTES} = unlimited; 0 or less = exhausted
 * @param stickySessions whether {@code sesstype-sticky} is allowed
 * @param maxStickyLifetimeSeconds the longest sticky-session lifetime the plan allows, in seconds
 *     (the {@code lifetime} parameter, and the default lifetime, are capped by plan:
 *     docs/product/proxy.md#sessions);
 *     0 = no cap
 * @param targeting targeting parameters the plan includes
 * @param maxBytesPerTunnel most bytes (both directions, customer socket) one CONNECT / SOCKS5
 *     tunnel may carry before it is cut; 0 = unlimited
 * @param maxTunnelLifetimeSeconds longest a CONNECT / SOCKS5 tunnel may stay open, in seconds;
 *     0 = unlimited
 * @param hold why the account may not use the proxy at all now (every request is refused with it),
 *     or null when nothing holds it
 */
public record AccountLimits(
        int requestsPerSecond,
        long requestsPerDay,
        int maxConcurrentConnections,
        long remainingBytes,
        boolean stickySessions,
        long maxStickyLifetimeSeconds,
        Set<TargetingOption> targeting,
        long maxBytesPerTunnel,
        long maxTunnelLifetimeSeconds,
        @Nullable AccountHold hold) {

    /** {@link #remainingBytes} of an account without a byte limit. */
    public static final long UNLIMITED_BYTES = Long.MAX_VALUE;

    /** No limit at all, every entitlement (the gateway's default without a provider). */
    public static final AccountLimits UNLIMITED =
            new AccountLimits(0, 0, 0, UNLIMITED_BYTES, true, 0, EnumSet.allOf(TargetingOption.class), 0, 0, null);

    /** Limits with per-tunnel caps and no hold. */
    public AccountLimits(int requestsPerSecond, long requestsPerDay, int maxConcurrentConnections, long remainingBytes,
            boolean stickySessions, long maxStickyLifetimeSeconds, Set<TargetingOption> targeting,
            long maxBytesPerTunnel, long maxTunnelLifetimeSeconds) {
        this(requestsPerSecond, requestsPerDay, maxConcurrentConnections, remainingBytes, stickySessions,
                maxStickyLifetimeSeconds, targeting, maxBytesPerTunnel, maxTunnelLifetimeSeconds, null);
    }

    /** Limits without per-tunnel caps (both unlimited). */
    public AccountLimits(int requestsPerSecond, long requestsPerDay, int maxConcurrentConnections, long remainingBytes,
            boolean stickySessions, long maxStickyLifetimeSeconds, Set<TargetingOption> targeting) {
        this(requestsPerSecond, requestsPerDay, maxConcurrentConnections, remainingBytes, stickySessions,
                maxStickyLifetimeSeconds, targeting, 0, 0, null);
    }

    /** These limits with {@code hold} (null: none) in place of this one's. */
    public AccountLimits withHold(@Nullable AccountHold hold) {
        return new AccountLimits(requestsPerSecond, requestsPerDay, maxConcurrentConnections, remainingBytes,
                stickySessions, maxStickyLifetimeSeconds, targeting, maxBytesPerTunnel, maxTunnelLifetimeSeconds, hold);
    }

    public AccountLimits {
        if (maxStickyLifetimeSeconds < 0) {
            throw new IllegalArgumentException(
                    "maxStickyLifetimeSeconds: " + maxStickyLifetimeSeconds + " (expected: >= 0, 0 = no cap)");
        }
        if (requestsPerSecond < 0 || requestsPerDay < 0 || maxConcurrentConnections < 0) {
            throw new IllegalArgumentException("limits: " + requestsPerSecond + "/s, " + requestsPerDay + "/day, "
                    + maxConcurrentConnections + " concurrent (expected: >= 0, 0 = unlimited)");
        }
        if (maxBytesPerTunnel < 0 || maxTunnelLifetimeSeconds < 0) {
            throw new IllegalArgumentException("per-tunnel limits: " + maxBytesPerTunnel + " bytes, " + maxTunnelLifetimeSeconds
                    + " s (expected: >= 0, 0 = unlimited)");
        }
        targeting = targeting.isEmpty() ? EnumSet.noneOf(TargetingOption.class) : EnumSet.copyOf(targeting);
    }
}
