package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountPage;
import io.iploop.server.accounts.AccountSearch;
import io.iploop.server.accounts.AccountStats;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.accounts.UserStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for the {@code users} table. Thread-safe. */
@Repository
class UserRepository {

    private static final String COLUMNS = """
            id, customer_id, email, first_name, last_name, company, phone, role, status, email_verified,
            must_change_password, created_at, last_login_at, totp_enabled, self_registered""";

    private final JdbcClient jdbc;

    UserRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts a user; the e-mail must already be lower case. */
    Account insert(String customerId, String email, String passwordHash, String firstName, String lastName,
            @Nullable String company, UserRole role, boolean mustChangePassword, boolean selfRegistered) {
        return jdbc.sql("""
                        INSERT INTO users (customer_id, email, password_hash, first_name, last_name, company, role,
                                           must_change_password, self_registered)
                        VALUES (:customerId, :email, :passwordHash, :firstName, :lastName, :company, :role, :mustChange,
                                :selfRegistered)
                        """ + " RETURNING " + COLUMNS)
                .param("selfRegistered", selfRegistered)
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

    Optional<Account> findByCustomerId(String customerId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE customer_id = lower(:cid)")
                .param("cid", customerId).query(UserRepository::map).optional();
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

    java.util.Set<java.util.UUID> idsNotActive() {
        return java.util.Set.copyOf(jdbc.sql("SELECT id FROM users WHERE status <> 'active'")
                .query(java.util.UUID.class).list());
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

    int setRole(UUID id, UserRole role) {
        return jdbc.sql("UPDATE users SET role = :role WHERE id = :id")
                .param("id", id).param("role", role.dbValue()).update();
    }

    /** Locks the user's row for the rest of the transaction and returns it. */
    Optional<Account> lockById(UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM users WHERE id = :id FOR UPDATE")
                .param("id", id).query(UserRepository::map).optional();
    }

    /** One page of accounts matching {@code s}, and the total count of matches. */
    AccountPage search(AccountSearch s) {
        StringBuilder where = new StringBuilder(" WHERE true");
        Map<String, Object> params = new HashMap<>();
        String text = s.text() == null ? "" : s.text().strip();
        if (!text.isEmpty()) {
            // ILIKE with the user's text as a literal: escape the pattern characters.
            where.append(" AND (").append("""
                    email ILIKE :like ESCAPE '\\' OR first_name ILIKE :like ESCAPE '\\'
                          OR last_name ILIKE :like ESCAPE '\\' OR (first_name || ' ' || last_name) ILIKE :like ESCAPE '\\'
                          OR company ILIKE :like ESCAPE '\\' OR customer_id = lower(:text) OR id::text = lower(:text))""");
            params.put("like", "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
            params.put("text", text);
        }
        if (s.status() != null) {
            where.append(" AND status = :status");
            params.put("status", s.status().dbValue());
        }
        if (s.role() != null) {
            where.append(" AND role = :role");
            params.put("role", s.role().dbValue());
        }
        if (s.ids() != null) {
            where.append(" AND id = ANY (CAST(:ids AS uuid[]))");
            params.put("ids", "{" + String.join(",", s.ids().stream().map(UUID::toString).toList()) + "}");
        }
        String column = switch (s.sort()) {
            case CREATED_AT -> "created_at";
            case EMAIL -> "email";
            case NAME -> "lower(last_name || ' ' || first_name)";
            case LAST_LOGIN_AT -> "last_login_at";
            case STATUS -> "status";
        };
        String direction = s.descending() ? " DESC NULLS LAST" : " ASC NULLS LAST";
        long total = jdbc.sql("SELECT count(*) FROM users" + where).params(params).query(Long.class).single();
        List<Account> items = jdbc.sql("SELECT " + COLUMNS + " FROM users" + where + " ORDER BY " + column + direction
                        + ", id" + (s.descending() ? " DESC" : "") + " LIMIT :limit OFFSET :offset")
                .params(params)
                .param("limit", s.limit())
                .param("offset", (long) (s.page() - 1) * s.limit())
                .query(UserRepository::map).list();
        return new AccountPage(items, s.page(), s.limit(), total);
    }

    /** Counts by status, role and age for the admin dashboard. */
    AccountStats stats() {
        AccountStats counts = jdbc.sql("""
                        SELECT count(*) AS total,
                               count(*) FILTER (WHERE status = 'active') AS active,
                               count(*) FILTER (WHERE status = 'suspended') AS suspended,
                               count(*) FILTER (WHERE status = 'banned') AS banned,
                               count(*) FILTER (WHERE status = 'deleted') AS deleted,
                               count(*) FILTER (WHERE created_at >= now() - interval '24 hours') AS new_24h,
                               count(*) FILTER (WHERE created_at >= now() - interval '7 days') AS new_7d
                        FROM users""")
                .query((rs, n) -> new AccountStats(rs.getLong("total"), rs.getLong("active"), rs.getLong("suspended"),
                        rs.getLong("banned"), rs.getLong("deleted"), rs.getLong("new_24h"), rs.getLong("new_7d"),
                        Map.of()))
                .single();
        Map<String, Long> byRole = new TreeMap<>();
        for (UserRole r : UserRole.values()) {
            byRole.put(r.dbValue(), 0L);
        }
        jdbc.sql("SELECT role, count(*) AS n FROM users WHERE status <> 'deleted' GROUP BY role")
                .query(rs -> {
                    byRole.put(rs.getString("role"), rs.getLong("n"));
                });
        return new AccountStats(counts.total(), counts.active(), counts.suspended(), counts.banned(), counts.deleted(),
                counts.newLast24Hours(), counts.newLast7Days(), byRole);
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

    /** The stored use case of each of these accounts that declared one (one query); undeclared and unknown ids are absent. */
    java.util.Map<UUID, String> useCases(java.util.Collection<UUID> ids) {
        java.util.Map<UUID, String> out = new java.util.HashMap<>();
        jdbc.sql("SELECT id, use_case FROM users WHERE id = ANY(:ids) AND use_case IS NOT NULL")
                .param("ids", ids.toArray(UUID[]::new))
                .query(rs -> {
                    out.put(rs.getObject("id", UUID.class), rs.getString("use_case"));
                });
        return out;
    }

    /** The account's use case (null: undeclared); empty when there is no such account. */
    Optional<java.util.Optional<String>> useCase(UUID id) {
        return jdbc.sql("SELECT use_case FROM users WHERE id = :id").param("id", id)
                .query((rs, n) -> java.util.Optional.ofNullable(rs.getString("use_case"))).optional();
    }

    /** Sets the account's use case (null clears it); the previous one, or empty when there is no such account. */
    Optional<java.util.Optional<String>> setUseCase(UUID id, @Nullable String useCase) {
        return jdbc.sql("""
                        UPDATE users u SET use_case = :useCase FROM (SELECT id, use_case FROM users WHERE id = :id FOR UPDATE) old
                        WHERE u.id = old.id RETURNING old.use_case""")
                .param("id", id).param("useCase", useCase)
                .query((rs, n) -> java.util.Optional.ofNullable(rs.getString("use_case"))).optional();
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
                rs.getBoolean("totp_enabled"),
                rs.getBoolean("self_registered"));
    }

    private static java.time.@Nullable Instant instant(@Nullable Timestamp ts) {
        return ts == null ? null : ts.toInstant();
    }

    /** An account's TOTP secret (AES-GCM ciphertext, null before setup) and whether 2FA is enabled. */
    record TotpState(@Nullable String encryptedSecret, boolean enabled) {}

    /** The id and bcrypt hash of an account, for login. */
    record Credentials(UUID id, String passwordHash) {}
}
