package io.iploop.server.accounts.internal;

import io.iploop.server.platform.JwtTokens;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.platform.TokenRevocations;
import java.time.Instant;
import java.sql.Timestamp;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code revoked_tokens}, the JWT blacklist (docs/product/accounts.md#tokens-and-logout): the SHA-256 of each logged-out
 * token's {@code jti}, kept until the token expires. A Redis set with a TTL would do; here
 * PostgreSQL is the store (the embedded default has no Redis), one query per authenticated request
 * that also refuses tokens of accounts an admin made non-active or demoted ({@link TokenRevocations}).
 * Thread-safe.
 */
@Repository
class RevokedTokenRepository implements TokenRevocations {

    private final JdbcClient jdbc;

    RevokedTokenRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void revoke(String tokenId, UUID userId, Instant expiresAt) {
        jdbc.sql("""
                        INSERT INTO revoked_tokens (jti_hash, user_id, expires_at) VALUES (:hash, :userId, :expiresAt)
                        ON CONFLICT (jti_hash) DO NOTHING""")
                .param("hash", SecureTokens.sha256Hex(tokenId)).param("userId", userId)
                .param("expiresAt", Timestamp.from(expiresAt))
                .update();
    }

    /**
     * One round trip with two primary-key lookups: the token's blacklist entry and its account's
     * status and role (admin suspensions, bans, deletions and demotions revoke every token of the
     * account without knowing their ids).
     */
    @Override
    public boolean isRevoked(JwtTokens.VerifiedToken token) {
        return jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti_hash = :hash)
                            OR NOT EXISTS (SELECT 1 FROM users WHERE id = :userId AND status = 'active'
                                           AND (NOT :claimsAdmin OR role = 'admin'))""")
                .param("hash", SecureTokens.sha256Hex(token.id()))
                .param("userId", token.user().userId())
                .param("claimsAdmin", token.user().isAdmin())
                .query(Boolean.class).single();
    }

    /** Removes entries whose token has expired anyway. */
    int deleteExpired() {
        return jdbc.sql("DELETE FROM revoked_tokens WHERE expires_at < now()").update();
    }
}
