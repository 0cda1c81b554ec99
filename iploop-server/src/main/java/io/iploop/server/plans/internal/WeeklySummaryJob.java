package io.iploop.server.plans.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.accounts.ProfileService;
import io.iploop.server.jobs.ScheduledJob;
import io.iploop.server.mail.MailService;
import io.iploop.server.mail.OutgoingMail;
import io.iploop.server.usage.UsageService;
import io.iploop.server.usage.UsageSummary;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code plans-weekly-summary}, Mondays 08:00 UTC (docs/plans-and-alerts.md#weekly-usage-summary):
 * mails every account with an active plan, traffic in the last 7 days and the "weekly usage report"
 * preference on (the opt-out on the settings page) a summary of those 7 days and its plan balance.
 * At most once per account and ISO week (the key of {@code plan_weekly_summaries}, inserted in the
 * transaction that puts the mail into the outbox), so repeated runs send nothing twice. Thread-safe.
 */
@Component
class WeeklySummaryJob implements ScheduledJob {

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final UsageService usage;
    private final AccountsService accounts;
    private final ProfileService profiles;
    private final PlanRepository plans;
    private final MailService mail;
    private final Clock clock;

    WeeklySummaryJob(JdbcClient jdbc, TransactionTemplate tx, UsageService usage, AccountsService accounts,
            ProfileService profiles, PlanRepository plans, MailService mail, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.usage = usage;
        this.accounts = accounts;
        this.profiles = profiles;
        this.plans = plans;
        this.mail = mail;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "plans-weekly-summary";
    }

    @Override
    public String cron() {
        return "0 0 8 * * MON";
    }

    @Override
    public String run() {
        LocalDate week = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)
                .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        List<UUID> users = jdbc.sql("""
                        SELECT up.user_id FROM user_plans up WHERE up.status = 'active'
                          AND NOT EXISTS (SELECT 1 FROM plan_weekly_summaries w
                                          WHERE w.user_id = up.user_id AND w.week_start = :week)
                        ORDER BY up.user_id""")
                .param("week", Date.valueOf(week)).query(UUID.class).list();
        int sent = 0;
        for (UUID userId : users) {
            if (!profiles.notificationPreferences(userId).weeklyReport()) {
                continue;
            }
            UsageSummary s = usage.summary(userId, 7);
            Optional<Account> account = accounts.find(userId);
            if (s.totalBytes() == 0 || account.isEmpty()) {
                continue;
            }
            Boolean mailed = tx.execute(status -> send(userId, account.get(), week, s));
            sent += Boolean.TRUE.equals(mailed) ? 1 : 0;
        }
        return "sent " + sent + " weekly summaries";
    }

    private boolean send(UUID userId, Account account, LocalDate week, UsageSummary s) {
        int inserted = jdbc.sql("""
                        INSERT INTO plan_weekly_summaries (user_id, week_start) VALUES (:userId, :week)
                        ON CONFLICT DO NOTHING""")
                .param("userId", userId).param("week", Date.valueOf(week)).update();
        if (inserted == 0) {
            return false;
        }
        String balance = plans.findActiveSubscription(userId)
                .map(sub -> "Plan " + sub.planName() + ": " + gb(sub.gbBalance().max(BigDecimal.ZERO)) + " GB left"
                        + (sub.periodEnd() == null ? "." : " until " + sub.periodEnd() + "."))
                .orElse("No active plan.");
        mail.enqueue(new OutgoingMail(account.email(), "IPLoop: your week in traffic",
                "Last 7 days: " + gb(s.totalGbTransferred()) + " GB in " + s.totalRequests() + " requests, "
                        + s.successRate().toPlainString() + " % of streams successful.\n" + balance
                        + "\n\nDetails on the dashboard's usage page. You get this e-mail because the weekly usage "
                        + "report is on; turn it off on the settings page."));
        return true;
    }

    private static String gb(BigDecimal gb) {
        return gb.setScale(3, RoundingMode.HALF_UP).toPlainString();
    }
}
