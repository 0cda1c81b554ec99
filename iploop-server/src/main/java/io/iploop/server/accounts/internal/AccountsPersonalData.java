package io.iploop.server.accounts.internal;

import io.iploop.server.platform.PersonalData;
import io.iploop.server.platform.PersonalDataExport;
import io.iploop.server.platform.PersonalDataSubject;
import io.iploop.server.platform.SecureTokens;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The accounts feature's share of personal data (docs/privacy.md): profile, consents, login
 * sessions, notification preferences. Erasure replaces the e-mail with {@code erased-<id>@invalid}
 * and the names with placeholders, clears phone, company, password and 2FA, and drops the network
 * addresses of sessions and consents; the row stays (ledger and invoices refer to it). Runs last
 * among the features, as the others may still need the e-mail. Thread-safe.
 */
@Component
class AccountsPersonalData implements PersonalData {

    static final String FEATURE = "accounts";

    private final JdbcClient jdbc;
    private final SessionIssuer sessions;

    AccountsPersonalData(JdbcClient jdbc, SessionIssuer sessions) {
        this.jdbc = jdbc;
        this.sessions = sessions;
    }

    @Override
    public String feature() {
        return FEATURE;
    }

    @Override
    public void export(UUID userId, PersonalDataExport out) {
        out.json("profile.json", jdbc.sql("""
                        SELECT id, customer_id, email, first_name, last_name, company, phone, role, status, email_verified,
                               totp_enabled AS two_factor_enabled, use_case, self_registered, created_at, last_login_at
                        FROM users WHERE id = :id""")
                .param("id", userId).query().singleRow());
        out.json("consents.json", jdbc.sql("""
                        SELECT document, version, accepted_at, host(ip_address) AS ip_address
                        FROM account_consents WHERE user_id = :id ORDER BY accepted_at, id""")
                .param("id", userId).query().listOfRows());
        out.json("sessions.json", jdbc.sql("""
                        SELECT id, host(ip_address) AS ip_address, user_agent, device_type, location, two_factor,
                               created_at, last_active_at, ended_at, end_reason
                        FROM user_sessions WHERE user_id = :id ORDER BY created_at, id""")
                .param("id", userId).query().listOfRows());
        out.json("notification-preferences.json", jdbc.sql("""
                        SELECT low_balance, weekly_report, security_alerts, daily_digest
                        FROM notification_preferences WHERE user_id = :id""")
                .param("id", userId).query().listOfRows());
    }

    @Override
    public Set<String> addressesOf(UUID userId) {
        Set<String> out = new HashSet<>(jdbc.sql("""
                        SELECT DISTINCT host(ip_address) FROM user_sessions WHERE user_id = :id AND ip_address IS NOT NULL
                        UNION SELECT DISTINCT host(ip_address) FROM account_consents WHERE user_id = :id AND ip_address IS NOT NULL""")
                .param("id", userId).query(String.class).list());
        return out;
    }

    @Override
    public void erase(PersonalDataSubject subject) {
        UUID id = subject.userId();
        sessions.endAll(id, null, "account_erased");
        jdbc.sql("""
                        UPDATE users SET email = :erased, first_name = 'Erased', last_name = 'Account', company = NULL,
                               phone = NULL, password_hash = :unusable, totp_secret = NULL, totp_enabled = false,
                               totp_verified_at = NULL, use_case = NULL, status = 'deleted',
                               erased_at = coalesce(erased_at, now())
                        WHERE id = :id""")
                .param("erased", subject.erasedEmail())
                // Not a bcrypt hash: no password ever matches it.
                .param("unusable", "erased:" + SecureTokens.randomHex(16))
                .param("id", id).update();
        jdbc.sql("UPDATE user_sessions SET ip_address = NULL, user_agent = NULL, location = NULL WHERE user_id = :id")
                .param("id", id).update();
        jdbc.sql("UPDATE account_consents SET ip_address = NULL WHERE user_id = :id").param("id", id).update();
        jdbc.sql("DELETE FROM backup_codes WHERE user_id = :id").param("id", id).update();
        jdbc.sql("DELETE FROM account_tokens WHERE user_id = :id").param("id", id).update();
        jdbc.sql("DELETE FROM notification_preferences WHERE user_id = :id").param("id", id).update();
        jdbc.sql("""
                        DELETE FROM login_throttle WHERE starts_with(throttle_key, :email) OR throttle_key = ANY(:ips)
                           OR split_part(throttle_key, '|ip:', 2) = ANY(:bare)""")
                .param("email", Accounts.emailThrottleKey(subject.email(), null))
                .param("ips", subject.addresses().stream().map(a -> "ip:" + a).toArray(String[]::new))
                .param("bare", subject.addresses().toArray(String[]::new))
                .update();
    }
}
