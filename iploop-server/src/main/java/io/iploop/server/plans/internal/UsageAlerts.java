package io.iploop.server.plans.internal;

import io.iploop.gateway.spi.PlanHelp;
import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.mail.MailService;
import io.iploop.server.mail.OutgoingMail;
import io.iploop.server.notifications.NotificationsService;
import io.iploop.server.plans.UsageAlertSettings;
import io.iploop.server.plans.UsageThresholdReached;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Usage alerts (docs/plans-and-alerts.md#usage-alerts): the per-account settings
 * ({@code plan_alert_settings}) and their evaluation. A threshold of {@code t} % is reached when the
 * period's usage is at least {@code t} % of the GB available in the period (used plus what is left,
 * so rolled-over and added GB count); it fires at most once per subscription and period (the key of
 * {@code plan_usage_alerts}), as one in-dashboard notification and, while the account's "low balance"
 * e-mail preference is on, one e-mail through the mail outbox, both in the transaction that records
 * it, and one {@link UsageThresholdReached} event in that transaction (webhooks' {@code usage.threshold}).
 * Several thresholds reached at once make one message, for the highest. Runs from the
 * {@code plans-usage-alerts} job, one query per run, never in the proxy's path. Thread-safe.
 */
@Component
class UsageAlerts {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final NotificationsService notifications;
    private final MailService mail;
    private final AccountsService accounts;
    private final ProfileService profiles;
    private final ApplicationEventPublisher events;

    UsageAlerts(JdbcClient jdbc, TransactionTemplate tx, NotificationsService notifications, MailService mail,
            AccountsService accounts, ProfileService profiles, ApplicationEventPublisher events) {
        this.events = events;
        this.jdbc = jdbc;
        this.tx = tx;
        this.notifications = notifications;
        this.mail = mail;
        this.accounts = accounts;
        this.profiles = profiles;
    }

    Optional<UsageAlertSettings> find(UUID userId) {
        return jdbc.sql("SELECT at_80, at_100, custom_percent FROM plan_alert_settings WHERE user_id = :userId")
                .param("userId", userId)
                .query((rs, n) -> new UsageAlertSettings(rs.getBoolean("at_80"), rs.getBoolean("at_100"),
                        (Integer) rs.getObject("custom_percent")))
                .optional();
    }

    void save(UUID userId, UsageAlertSettings s) {
        jdbc.sql("""
                        INSERT INTO plan_alert_settings (user_id, at_80, at_100, custom_percent)
                        VALUES (:userId, :at80, :at100, :custom)
                        ON CONFLICT (user_id) DO UPDATE SET at_80 = excluded.at_80, at_100 = excluded.at_100,
                               custom_percent = excluded.custom_percent, updated_at = now()""")
                .param("userId", userId).param("at80", s.at80()).param("at100", s.at100())
                .param("custom", s.customPercent()).update();
    }

    /** A subscription with thresholds reached and not yet fired this period. */
    /** {@code overage}: the plan goes on past its GB, billed at the period end (docs/billing.md#overage). */
    private record Reached(UUID subscriptionId, UUID userId, String planId, String planName, boolean overage,
            Instant periodStart, @Nullable Instant periodEnd, BigDecimal periodGbUsed, BigDecimal gbBalance,
            List<Integer> thresholds) {}

    /**
     * Fires every alert due now.
     *
     * @return the number of messages sent (one per subscription with newly reached thresholds)
     */
    int evaluate() {
        Map<UUID, Reached> due = new LinkedHashMap<>();
        jdbc.sql("""
                        SELECT up.id, up.user_id, p.id AS plan_id, p.name AS plan_name,
                               (p.included_gb > 0 AND coalesce(p.overage_per_gb, 0) > 0) AS overage,
                               up.period_start, up.period_end,
                               up.period_gb_used, up.gb_balance, t.pct
                        FROM user_plans up
                        JOIN plans p ON p.id = up.plan_id
                        LEFT JOIN plan_alert_settings s ON s.user_id = up.user_id
                        CROSS JOIN LATERAL (VALUES (80, coalesce(s.at_80, true)), (100, coalesce(s.at_100, true)),
                                                   (coalesce(s.custom_percent, 0), s.custom_percent IS NOT NULL))
                                           AS t (pct, enabled)
                        WHERE up.status = 'active' AND p.included_gb IS NOT NULL AND t.enabled
                          AND up.period_gb_used > 0
                          AND up.period_gb_used * 100 >= t.pct * (up.period_gb_used + greatest(up.gb_balance, 0))
                          AND NOT EXISTS (SELECT 1 FROM plan_usage_alerts a WHERE a.subscription_id = up.id
                                          AND a.period_start = up.period_start AND a.threshold = t.pct)
                        ORDER BY up.id, t.pct""")
                .query(rs -> {
                    UUID id = rs.getObject("id", UUID.class);
                    Timestamp end = rs.getTimestamp("period_end");
                    due.computeIfAbsent(id, k -> {
                        try {
                            return new Reached(id, rs.getObject("user_id", UUID.class), rs.getString("plan_id"),
                                    rs.getString("plan_name"), rs.getBoolean("overage"),
                                    rs.getTimestamp("period_start").toInstant(), end == null ? null : end.toInstant(),
                                    rs.getBigDecimal("period_gb_used"), rs.getBigDecimal("gb_balance"), new ArrayList<>());
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    }).thresholds().add(rs.getInt("pct"));
                });
        int sent = 0;
        for (Reached r : due.values()) {
            Boolean fired = tx.execute(status -> fire(r));
            sent += Boolean.TRUE.equals(fired) ? 1 : 0;
        }
        return sent;
    }

    /** Records the thresholds and sends one message for the highest newly recorded; false if none was new. */
    private boolean fire(Reached r) {
        int highest = 0;
        List<Integer> reached = new ArrayList<>();
        for (int t : r.thresholds()) {
            int inserted = jdbc.sql("""
                            INSERT INTO plan_usage_alerts (subscription_id, period_start, threshold)
                            SELECT up.id, up.period_start, :t FROM user_plans up
                            WHERE up.id = :id AND up.period_start = :periodStart AND up.status = 'active'
                            ON CONFLICT DO NOTHING""")
                    .param("id", r.subscriptionId()).param("periodStart", Timestamp.from(r.periodStart()))
                    .param("t", t).update();
            if (inserted == 1) {
                highest = Math.max(highest, t);
                reached.add(t);
            }
        }
        if (highest == 0) {
            return false; // fired by another run meanwhile, or the period moved on (renewed)
        }
        BigDecimal left = r.gbBalance().max(BigDecimal.ZERO);
        events.publishEvent(new UsageThresholdReached(r.userId(), r.subscriptionId(), r.planId(), reached,
                r.periodStart(), r.periodGbUsed(), left));
        String title = highest >= 100 ? "Your GB for this period are used up"
                : "You have used " + highest + " % of your GB for this period";
        String body = "Plan " + r.planName() + ": " + gb(r.periodGbUsed()) + " GB used, " + gb(left) + " GB left"
                + (r.periodEnd() == null ? "." : " until the period ends on " + DAY.format(r.periodEnd()) + ".")
                + (highest < 100 ? ""
                        : r.overage() ? " Traffic goes on as overage, up to one period's included GB more, billed at"
                                + " the plan's overage price when the period ends."
                        : " The proxy answers 402 until you have GB again.")
                + " Your plan and how to get more: " + PlanHelp.PATH;
        notifications.notify(r.userId(), "usage_alert", title, body, PlanHelp.PATH);
        Optional<Account> account = accounts.find(r.userId());
        if (account.isPresent() && profiles.notificationPreferences(r.userId()).lowBalance()) {
            mail.enqueue(new OutgoingMail(account.get().email(), "IPLoop: " + title,
                    body + "\n\nYou get this e-mail because usage alerts are on; change them on the settings page."));
        }
        return true;
    }

    private static String gb(BigDecimal gb) {
        return gb.setScale(3, RoundingMode.HALF_UP).toPlainString();
    }
}
