package io.iploop.server.plans.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Renews subscriptions whose period has ended (docs/plans-and-alerts.md#periods-and-renewal):
 * grants the next period's GB by the plan's rule ({@code reset} or {@code rollover}; {@code none}
 * never renews), moves the period on by one calendar month from the subscription's start (UTC),
 * zeroes the period's usage, records the renewal in {@code plan_renewals} and audits it.
 *
 * <p>Exactly once per subscription and period: each renewal runs in its own transaction with the
 * subscription row locked, only while its period end is not after {@code now}, and inserts the
 * {@code (subscription, period start)} key of {@code plan_renewals}; a second run finds nothing due,
 * a crash rolls the whole renewal back. A subscription whose end ({@code expires_at}) is not after
 * its period end is not renewed: it expires. Missed periods (the job did not run for months) are
 * renewed one by one, in order. Thread-safe.
 */
@Component
class PlanRenewals {

    /** Subscriptions renewed per query of the due list; the job continues until none is due. */
    private static final int BATCH = 200;
    /** Most periods one subscription catches up in one run (10 years of monthly periods). */
    private static final int MAX_PERIODS = 120;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final AuditService audit;

    PlanRenewals(JdbcClient jdbc, TransactionTemplate tx, AuditService audit) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.audit = audit;
    }

    /**
     * Renews every active subscription whose period ended at or before {@code now}.
     *
     * @return the number of periods renewed (0 on a repeated run)
     */
    int renewDue(Instant now) {
        int renewed = 0;
        UUID after = new UUID(0, 0); // the smallest uuid in PostgreSQL's (unsigned) order
        while (true) {
            List<UUID> due = jdbc.sql("""
                            SELECT up.id FROM user_plans up JOIN plans p ON p.id = up.plan_id
                            WHERE up.status = 'active' AND up.period_end IS NOT NULL AND up.period_end <= :now
                              AND p.renewal <> 'none' AND p.included_gb IS NOT NULL
                              AND (up.expires_at IS NULL OR up.expires_at > up.period_end)
                              AND up.id > :after
                            ORDER BY up.id LIMIT :limit""")
                    .param("now", Timestamp.from(now)).param("after", after).param("limit", BATCH)
                    .query(UUID.class).list();
            for (UUID id : due) {
                Integer n = tx.execute(status -> renew(id, now));
                renewed += n == null ? 0 : n;
            }
            if (due.size() < BATCH) {
                return renewed;
            }
            after = due.getLast();
        }
    }

    /**
     * Renews one subscription's periods that ended at or before {@code dueBy}, in the caller's
     * transaction (billing's early renewal when the next period is paid; the same exactly-once key as
     * the job, so the job and a payment never renew one period twice).
     *
     * @return the number of periods renewed
     */
    int renewInTransaction(UUID subscriptionId, Instant dueBy) {
        return renew(subscriptionId, dueBy);
    }

    /** One subscription's due periods, in the caller's transaction, with its row locked. */
    private int renew(UUID subscriptionId, Instant now) {
        int periods = 0;
        while (periods < MAX_PERIODS) {
            Optional<Due> found = jdbc.sql("""
                            SELECT up.user_id, up.plan_id, up.started_at, up.period_start, up.period_end, up.expires_at,
                                   up.gb_balance, p.renewal, p.included_gb
                            FROM user_plans up JOIN plans p ON p.id = up.plan_id
                            WHERE up.id = :id AND up.status = 'active' FOR UPDATE OF up""")
                    .param("id", subscriptionId)
                    .query((rs, n) -> new Due(rs.getObject("user_id", UUID.class), rs.getString("plan_id"),
                            rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("period_start").toInstant(),
                            instant(rs.getTimestamp("period_end")), instant(rs.getTimestamp("expires_at")),
                            rs.getBigDecimal("gb_balance"), rs.getString("renewal"), rs.getBigDecimal("included_gb")))
                    .optional();
            if (found.isEmpty()) {
                return periods;
            }
            Due d = found.get();
            Instant end = d.periodEnd();
            if (end == null || end.isAfter(now) || d.included() == null || "none".equals(d.rule())
                    || (d.expiresAt() != null && !d.expiresAt().isAfter(end))) {
                return periods;
            }
            Instant nextEnd = nextPeriodEnd(d.startedAt(), end);
            BigDecimal newBalance = newBalance(d.rule(), d.gbBalance(), d.included());
            int recorded = jdbc.sql("""
                            INSERT INTO plan_renewals (subscription_id, period_start, new_period_start, new_period_end,
                                                       rule, old_gb_balance, new_gb_balance)
                            VALUES (:id, :periodStart, :newStart, :newEnd, :rule, :oldBalance, :newBalance)
                            ON CONFLICT (subscription_id, period_start) DO NOTHING""")
                    .param("id", subscriptionId).param("periodStart", Timestamp.from(d.periodStart()))
                    .param("newStart", Timestamp.from(end)).param("newEnd", Timestamp.from(nextEnd))
                    .param("rule", d.rule()).param("oldBalance", d.gbBalance()).param("newBalance", newBalance)
                    .update();
            if (recorded == 0) {
                // Renewed already (cannot happen while the period moves in the same transaction; kept as a guard).
                return periods;
            }
            jdbc.sql("""
                            UPDATE user_plans SET period_start = :newStart, period_end = :newEnd, gb_balance = :balance,
                                   period_gb_used = 0
                            WHERE id = :id""")
                    .param("id", subscriptionId).param("newStart", Timestamp.from(end))
                    .param("newEnd", Timestamp.from(nextEnd)).param("balance", newBalance).update();
            audit.record(new AuditEvent(d.userId(), AuditAction.PLAN_RENEWED, "subscription",
                    subscriptionId.toString(), Map.of(
                            "plan", d.planId(),
                            "rule", d.rule(),
                            "oldPeriodStart", d.periodStart().toString(),
                            "newPeriodStart", end.toString(),
                            "newPeriodEnd", nextEnd.toString(),
                            "oldGbBalance", d.gbBalance().toPlainString(),
                            "newGbBalance", newBalance.toPlainString())));
            periods++;
        }
        return periods;
    }

    /**
     * The first end after {@code currentEnd} of monthly periods anchored at {@code startedAt} (UTC,
     * calendar months: a subscription started on the 31st renews on the last day of shorter months).
     */
    static Instant nextPeriodEnd(Instant startedAt, Instant currentEnd) {
        ZonedDateTime anchor = startedAt.atZone(ZoneOffset.UTC);
        for (int months = 1; ; months++) {
            Instant candidate = anchor.plusMonths(months).toInstant();
            if (candidate.isAfter(currentEnd)) {
                return candidate;
            }
        }
    }

    /**
     * The balance of the next period (docs/plans-and-alerts.md#periods-and-renewal): {@code reset}
     * gives the included GB; {@code rollover} adds the unused GB, at most one period's included GB.
     * A negative balance (a few bytes carried past zero by open tunnels) is not carried.
     */
    static BigDecimal newBalance(String rule, BigDecimal balance, BigDecimal included) {
        if ("rollover".equals(rule)) {
            return included.add(balance.max(BigDecimal.ZERO).min(included));
        }
        return included;
    }

    private static @Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private record Due(UUID userId, String planId, Instant startedAt, Instant periodStart, @Nullable Instant periodEnd,
            @Nullable Instant expiresAt, BigDecimal gbBalance, String rule, @Nullable BigDecimal included) {}
}
