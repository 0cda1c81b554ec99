package io.iploop.server.platform;

/**
 * The JWT blacklist as the security filter sees it (seed 001 §4.5: logout blacklists the token).
 * Implemented by the accounts feature; thread-safe.
 */
public interface TokenRevocations {

    /** True when the token with this {@code jti} was revoked (logged out). */
    boolean isRevoked(String tokenId);
}
