package io.iploop.server.accounts.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code account_tokens}: single-use tokens stored as SHA-256 (docs/product/accounts.md#password-reset). Expiry is
 * compared with the database clock. Thread-safe.
 */
@Repository
class AccountTokenRepository {

    /** What a token is for; stored lower case in {@code purpose}. */
    enum Purpose {
        PASSWORD_RESET, EMAIL_VERIFICATION;

        String dbValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final JdbcClient jdbc;

    AccountTokenRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores a new token and marks the account's earlier unused tokens of this purpose as used. */
    void replace(UUID userId, Purpose purpose, String tokenHash, Duration lifetime) {
        jdbc.sql("""
                        UPDATE account_tokens SET used_at = now()
                        WHERE user_id = :userId AND purpose = :purpose AND used_at IS NULL""")
                .param("userId", userId).param("purpose", purpose.dbValue()).update();
        jdbc.sql("""
                        INSERT INTO account_tokens (user_id, purpose, token_hash, expires_at)
                        VALUES (:userId, :purpose, :hash, now() + make_interval(secs => :seconds))""")
                .param("userId", userId).param("purpose", purpose.dbValue()).param("hash", tokenHash)
                .param("seconds", (double) lifetime.toSeconds())
                .update();
    }

    /** True for an unused, unexpired token. */
    boolean isValid(Purpose purpose, String tokenHash) {
        return jdbc.sql("""
                        SELECT EXISTS (SELECT 1 FROM account_tokens WHERE token_hash = :hash AND purpose = :purpose
                                       AND used_at IS NULL AND expires_at > now())""")
                .param("hash", tokenHash).param("purpose", purpose.dbValue())
                .query(Boolean.class).single();
    }

    /** Uses up an unused, unexpired token atomically and returns its account. */
    Optional<UUID> consume(Purpose purpose, String tokenHash) {
        return jdbc.sql("""
                        UPDATE account_tokens SET used_at = now()
                        WHERE token_hash = :hash AND purpose = :purpose AND used_at IS NULL AND expires_at > now()
                        RETURNING user_id""")
                .param("hash", tokenHash).param("purpose", purpose.dbValue())
                .query(UUID.class).optional();
    }

    /** Removes tokens that expired more than a week ago. */
    int deleteExpired() {
        return jdbc.sql("DELETE FROM account_tokens WHERE expires_at < now() - interval '7 days'").update();
    }
}
