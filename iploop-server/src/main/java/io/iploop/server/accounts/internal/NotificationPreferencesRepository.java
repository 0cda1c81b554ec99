package io.iploop.server.accounts.internal;

import io.iploop.server.accounts.NotificationPreferences;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
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
        return jdbc.sql("SELECT low_balance, weekly_report, security_alerts, daily_digest FROM notification_preferences WHERE user_id = :userId")
                .param("userId", userId)
                .query((rs, n) -> new NotificationPreferences(rs.getBoolean("low_balance"), rs.getBoolean("weekly_report"),
                        rs.getBoolean("security_alerts"), rs.getBoolean("daily_digest")))
                .optional();
    }

    /** Inserts or replaces the account's preferences. */
    void save(UUID userId, NotificationPreferences p) {
        jdbc.sql("""
                        INSERT INTO notification_preferences (user_id, low_balance, weekly_report, security_alerts,
                                                              daily_digest, updated_at)
                        VALUES (:userId, :lowBalance, :weeklyReport, :securityAlerts, :dailyDigest, now())
                        ON CONFLICT (user_id) DO UPDATE SET low_balance = EXCLUDED.low_balance,
                            weekly_report = EXCLUDED.weekly_report, security_alerts = EXCLUDED.security_alerts,
                            daily_digest = EXCLUDED.daily_digest, updated_at = now()""")
                .param("userId", userId).param("lowBalance", p.lowBalance()).param("weeklyReport", p.weeklyReport())
                .param("securityAlerts", p.securityAlerts())
                .param("dailyDigest", p.dailyDigest()).update();
    }

    /**
     * Accounts that turned the daily digest on, ordered by id, at most {@code limit} after
     * {@code after} (null: from the start), for paging through them.
     */
    List<UUID> dailyDigestSubscribers(@Nullable UUID after, int limit) {
        return jdbc.sql("""
                        SELECT user_id FROM notification_preferences
                        WHERE daily_digest AND (CAST(:after AS uuid) IS NULL OR user_id > CAST(:after AS uuid))
                        ORDER BY user_id LIMIT :limit""")
                .param("after", after, java.sql.Types.OTHER).param("limit", limit).query(UUID.class).list();
    }
}
