package io.iploop.server.billing.internal;

import io.iploop.server.billing.AutoTopUpSettings;
import io.iploop.server.billing.CreditAlertSettings;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * SQL for {@code billing_credit_settings}: the low-balance alert and auto top-up of each account
 * (docs/billing.md#low-balance-alerts, #auto-top-up) and their armed flags. Every method joins the
 * caller's transaction. Thread-safe.
 */
@Repository
class CreditSettingsRepository {

    private final JdbcClient jdbc;

    CreditSettingsRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    record Row(UUID userId, @Nullable BigDecimal lowBalanceUsd, boolean lowArmed, boolean autoEnabled,
            @Nullable BigDecimal autoThresholdUsd, @Nullable String autoPackageId, int autoMaxPerMonth,
            boolean autoArmed) {}

    private static final String COLUMNS = """
            user_id, low_balance_usd, low_balance_armed, auto_enabled, auto_threshold_usd, auto_package_id,
            auto_max_per_month, auto_armed""";

    Optional<Row> find(UUID userId, boolean lock) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM billing_credit_settings WHERE user_id = :u" + (lock ? " FOR UPDATE" : ""))
                .param("u", userId)
                .query((rs, n) -> new Row(rs.getObject("user_id", UUID.class), rs.getBigDecimal("low_balance_usd"),
                        rs.getBoolean("low_balance_armed"), rs.getBoolean("auto_enabled"),
                        rs.getBigDecimal("auto_threshold_usd"), rs.getString("auto_package_id"),
                        rs.getInt("auto_max_per_month"), rs.getBoolean("auto_armed")))
                .optional();
    }

    AutoTopUpSettings autoTopUp(UUID userId) {
        return find(userId, false).map(r -> new AutoTopUpSettings(r.autoEnabled(), r.autoThresholdUsd(),
                r.autoPackageId(), r.autoMaxPerMonth())).orElse(AutoTopUpSettings.OFF);
    }

    CreditAlertSettings alerts(UUID userId) {
        return new CreditAlertSettings(find(userId, false).map(Row::lowBalanceUsd).orElse(null));
    }

    /** Saves (validated by the caller); a changed threshold arms the top-up again. */
    void saveAutoTopUp(UUID userId, AutoTopUpSettings s) {
        jdbc.sql("""
                        INSERT INTO billing_credit_settings (user_id, auto_enabled, auto_threshold_usd, auto_package_id,
                            auto_max_per_month)
                        VALUES (:u, :enabled, :threshold, :package, :max)
                        ON CONFLICT (user_id) DO UPDATE SET auto_enabled = excluded.auto_enabled,
                            auto_threshold_usd = excluded.auto_threshold_usd, auto_package_id = excluded.auto_package_id,
                            auto_max_per_month = excluded.auto_max_per_month, auto_armed = true, updated_at = now()""")
                .param("u", userId).param("enabled", s.enabled()).param("threshold", s.thresholdUsd())
                .param("package", s.packageId()).param("max", s.maxPerMonth()).update();
    }

    /** Saves (validated by the caller); a changed threshold arms the alert again. */
    void saveAlerts(UUID userId, CreditAlertSettings s) {
        jdbc.sql("""
                        INSERT INTO billing_credit_settings (user_id, low_balance_usd) VALUES (:u, :low)
                        ON CONFLICT (user_id) DO UPDATE SET low_balance_usd = excluded.low_balance_usd,
                            low_balance_armed = true, updated_at = now()""")
                .param("u", userId).param("low", s.lowBalanceUsd()).update();
    }

}
