package io.iploop.server.platform;

/**
 * The JWT blacklist as the security filter sees it (docs/product/accounts.md#tokens-and-logout: logout blacklists the token).
 * Besides tokens logged out one by one, every token of an account an admin suspended, banned or
 * deleted counts as revoked, and so does an admin token whose account is no longer an admin: a JWT
 * carries status and role as of issue, and an admin action must take effect on the next request.
 * Implemented by the accounts feature; thread-safe.
 */
public interface TokenRevocations {

    /**
     * True when the token was revoked: logged out, its account is no longer active, or it claims the
     * admin role its account no longer has.
     */
    boolean isRevoked(JwtTokens.VerifiedToken token);
}
