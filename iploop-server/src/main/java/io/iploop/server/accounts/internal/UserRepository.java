package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.accounts.UserStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for the {@code users} table. Thread-safe. */
@Repository
class UserRepository {

    private static final String COLUMNS = """
            id, customer_id, email, first_name, last_name, company, phone, role, status, email_verified,
            must_change_password, created_at, last_login_at, totp_enabled""";

    private final JdbcClient jdbc;

    UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts a user; the e-mail must already be lower case. */
    Account insert(String customerId, String email, String passwordHash, String firstName, String lastName,
            @Nullable String company, UserRole role, boolean mustChangePassword) {
        return jdbc.sql("""
                        INSERT INTO users (customer_id, email, password_hash, first_name, last_name, company, role,
                                           must_change_password)
                        VALUES (:customerId, :email, :passwordHash, :firstName, :lastName, :company, :role, :mustChange)
                        """ + " RETURNING " + COLUMNS)
                .param("customerId", customerId)
                .param("email", email)
                .param("passwordHash", passwordHash)
                .param("firstName", firstName)
                .param("lastName", lastName)
                .param("company", company)
                .param("role", role.dbValue())
                .param("mustChange", mustChangePassword)
                .query(UserRepository::map)
                .single();
    }

    boolean emailExists(String email) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(:email))")
                .param("email", email).query(Boolean.class).single();
    }

    Optional<Account> findById(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE id = :id")
                .param("id", id).query(UserRepository::map).optional();
    }

    Optional<Credentials> findCredentialsByEmail(String email) {
        return jdbc.sql("SELECT id, password_hash FROM users WHERE lower(email) = lower(:email)")
                .param("email", email)
                .query((rs, n) -> new Credentials(rs.getObject("id", UUID.class), rs.getString("password_hash")))
                .optional();
    }

    Optional<String> findPasswordHash(UUID id) {
        return jdbc.sql("SELECT password_hash FROM users WHERE id = :id").param("id", id).query(String.class).optional();
    }

    void recordLogin(UUID id) {
        jdbc.sql("UPDATE users SET last_login_at = now() WHERE id = :id").param("id", id).update();
    }

    long count() {
        return jdbc.sql("SELECT count(*) FROM users").query(Long.class).single();
    }

    Optional<Account> firstAdmin() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE role = 'admin' ORDER BY created_at, id LIMIT 1")
                .query(UserRepository::map).optional();
    }

    int promoteToOperator(UUID id) {
        return jdbc.sql("UPDATE users SET role = 'operator' WHERE id = :id AND role = 'customer'").param("id", id).update();
    }

    int setStatus(UUID id, UserStatus status) {
        return jdbc.sql("UPDATE users SET status = :status WHERE id = :id")
                .param("id", id).param("status", status.dbValue()).update();
    }

    int setPassword(UUID id, String passwordHash) {
        return jdbc.sql("UPDATE users SET password_hash = :hash, must_change_password = false WHERE id = :id")
                .param("id", id).param("hash", passwordHash).update();
    }

    /** The active account with this e-mail (any case), if any. */
    Optional<Account> findActiveByEmail(String email) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE lower(email) = lower(:email) AND status = 'active'")
                .param("email", email).query(UserRepository::map).optional();
    }

    Optional<Account> updateProfile(UUID id, String firstName, String lastName, @Nullable String company,
            @Nullable String phone) {
        return jdbc.sql("""
                        UPDATE users SET first_name = :firstName, last_name = :lastName, company = :company, phone = :phone
                        WHERE id = :id""" + " RETURNING " + COLUMNS)
                .param("id", id).param("firstName", firstName).param("lastName", lastName)
                .param("company", company).param("phone", phone)
                .query(UserRepository::map).optional();
    }

    int markEmailVerified(UUID id) {
        return jdbc.sql("UPDATE users SET email_verified = true WHERE id = :id").param("id", id).update();
    }

    /** The encrypted TOTP secret and whether 2FA is on; empty for an unknown account. */
    Optional<TotpState> findTotp(UUID id) {
        return jdbc.sql("SELECT totp_secret, totp_enabled FROM users WHERE id = :id")
                .param("id", id)
                .query((rs, n) -> new TotpState(rs.getString("totp_secret"), rs.getBoolean("totp_enabled")))
                .optional();
    }

    /** Stores a new, not yet enabled TOTP secret (ciphertext); forgets the last accepted step. */
    int setPendingTotp(UUID id, String encryptedSecret) {
        return jdbc.sql("""
                        UPDATE users SET totp_secret = :secret, totp_enabled = false, totp_verified_at = NULL,
                                         totp_last_step = NULL
                        WHERE id = :id""")
                .param("id", id).param("secret", encryptedSecret).update();
    }

    int enableTotp(UUID id) {
        return jdbc.sql("UPDATE users SET totp_enabled = true, totp_verified_at = now() WHERE id = :id")
                .param("id", id).update();
    }

    /** Turns 2FA off and forgets the secret. @return rows changed (0 for an unknown account) */
    int clearTotp(UUID id) {
        return jdbc.sql("""
                        UPDATE users SET totp_secret = NULL, totp_enabled = false, totp_verified_at = NULL,
                                         totp_last_step = NULL
                        WHERE id = :id""")
                .param("id", id).update();
    }

    /**
     * Records that a code of RFC 6238 time step {@code step} was accepted, unless one of this or a
     * later step was accepted before (replay protection). Atomic under concurrent logins.
     *
     * @return true when the step was newer than every step used before
     */
    boolean consumeTotpStep(UUID id, long step) {
        return jdbc.sql("""
                        UPDATE users SET totp_last_step = :step
                        WHERE id = :id AND (totp_last_step IS NULL OR totp_last_step < :step)""")
                .param("id", id).param("step", step).update() == 1;
    }

    private static Account map(ResultSet rs, int row) throws SQLException {
        return new Account(
                rs.getObject("id", UUID.class),
                rs.getString("customer_id"),
                rs.getString("email"),
                rs.getString("first_name"),
                rs.getString("last_name"),
                rs.getString("company"),
                rs.getString("phone"),
                UserRole.fromDb(rs.getString("role")),
                UserStatus.fromDb(rs.getString("status")),
                rs.getBoolean("email_verified"),
                rs.getBoolean("must_change_password"),
                rs.getTimestamp("created_at").toInstant(),
                instant(rs.getTimestamp("last_login_at")),
                rs.getBoolean("totp_enabled"));
    }

    private static java.time.@Nullable Instant instant(@Nullable Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    /** An account's TOTP secret (AES-GCM ciphertext, null before setup) and whether 2FA is enabled. */
    record TotpState(@Nullable String encryptedSecret, boolean enabled) {}

    /** The id and bcrypt hash of an account, for login. */
    record Credentials(UUID id, String passwordHash) {}
}
