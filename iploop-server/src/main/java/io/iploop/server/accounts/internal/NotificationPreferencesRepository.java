package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.NotificationPreferences;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL for {@code notification_preferences}: one row per account that saved its choice. Thread-safe. */
@Repository
class NotificationPreferencesRepository {

    private final JdbcClient jdbc;

    NotificationPreferencesRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The saved preferences, empty when the account never saved any. */
    Optional<NotificationPreferences> find(UUID userId) {
        return jdbc.sql("SELECT low_balance, weekly_report, security_alerts FROM notification_preferences WHERE user_id = :userId")
                .param("userId", userId)
                .query((rs, n) -> new NotificationPreferences(rs.getBoolean("low_balance"), rs.getBoolean("weekly_report"),
                        rs.getBoolean("security_alerts")))
                .optional();
    }

    /** Inserts or replaces the account's preferences. */
    void save(UUID userId, NotificationPreferences p) {
        jdbc.sql("""
                        INSERT INTO notification_preferences (user_id, low_balance, weekly_report, security_alerts, updated_at)
                        VALUES (:userId, :lowBalance, :weeklyReport, :securityAlerts, now())
                        ON CONFLICT (user_id) DO UPDATE SET low_balance = EXCLUDED.low_balance,
                            weekly_report = EXCLUDED.weekly_report, security_alerts = EXCLUDED.security_alerts,
                            updated_at = now()""")
                .param("userId", userId).param("lowBalance", p.lowBalance()).param("weeklyReport", p.weeklyReport())
                .param("securityAlerts", p.securityAlerts()).update();
    }
}
