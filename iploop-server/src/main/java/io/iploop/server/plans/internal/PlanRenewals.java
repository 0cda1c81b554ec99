package io.iploop.server.plans.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.plans.PeriodOverage;
import io.iploop.server.plans.Plan;
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
import org.springframework.context.ApplicationEventPublisher;
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
 * its period end is not renewed: it expires; when the customer cancelled it for the period end
 * ({@code pending_cancel}) its period also closes (rule {@code ended}, no next period, overage billed).
 * A scheduled plan change ({@code pending_plan_id}) is applied at the period end: the next period runs
 * on the new plan with its included GB (docs/billing.md#plan-changes). Usage beyond the balance on a
 * plan with overage is recorded and published as {@link PeriodOverage} in the renewal's transaction
 * (docs/billing.md#overage). Subscriptions a payment provider renews ({@code renews_on_payment}) are
 * not picked by the job: billing renews them through {@link #renewInTransaction} when the next period
 * is paid. Missed periods (the job did not run for months) are renewed one by one, in order. Thread-safe.
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
    private final PlanRepository repository;
    private final ApplicationEventPublisher events;

    PlanRenewals(JdbcClient jdbc, TransactionTemplate tx, AuditService audit, PlanRepository repository,
            ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.audit = audit;
        this.repository = repository;
        this.events = events;
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
                              AND NOT up.renews_on_payment
                              AND (up.expires_at IS NULL OR up.expires_at > up.period_end OR up.pending_cancel)
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
                                   up.gb_balance, up.pending_plan_id, up.pending_cancel, up.renews_on_payment, p.renewal, p.included_gb
                            FROM user_plans up JOIN plans p ON p.id = up.plan_id
                            WHERE up.id = :id AND up.status = 'active' FOR UPDATE OF up""")
                    .param("id", subscriptionId)
                    .query((rs, n) -> new Due(rs.getObject("user_id", UUID.class), rs.getString("plan_id"),
                            rs.getTimestamp("started_at").toInstant(), rs.getTimestamp("period_start").toInstant(),
                            instant(rs.getTimestamp("period_end")), instant(rs.getTimestamp("expires_at")),
                            rs.getBigDecimal("gb_balance"), rs.getString("pending_plan_id"),
                            rs.getBoolean("pending_cancel"), rs.getBoolean("renews_on_payment"), rs.getString("renewal"), rs.getBigDecimal("included_gb")))
                    .optional();
            if (found.isEmpty()) {
                return periods;
            }
            Due d = found.get();
            Instant end = d.periodEnd();
            if (end == null || end.isAfter(now) || d.included() == null || "none".equals(d.rule())) {
                return periods;
            }
            Plan plan = repository.find(d.planId()).orElseThrow();
            BigDecimal overage = plan.allowsOverage() ? d.gbBalance().negate().max(BigDecimal.ZERO) : BigDecimal.ZERO;
            boolean ends = d.expiresAt() != null && !d.expiresAt().isAfter(end);
            if (ends && !d.pendingCancel()) {
                return periods; // an end set by an admin or a suspension: it expires, and may be extended later
            }
            Plan next = ends || d.pendingPlanId() == null ? plan : repository.find(d.pendingPlanId()).orElse(plan);
            boolean periodic = !ends && next.includedGb() != null && !"none".equals(renewalRule(next.id()));
            Instant nextEnd = periodic ? nextPeriodEnd(d.startedAt(), end) : null;
            String rule = ends ? "ended" : next.id().equals(d.planId()) ? d.rule() : "change";
            BigDecimal newBalance = ends ? d.gbBalance().max(BigDecimal.ZERO)
                    : next.id().equals(d.planId()) ? newBalance(d.rule(), d.gbBalance(), d.included())
                    : next.includedGb() == null ? BigDecimal.ZERO : next.includedGb();
            int recorded = jdbc.sql("""
                            INSERT INTO plan_renewals (subscription_id, period_start, new_period_start, new_period_end,
                                                       rule, old_gb_balance, new_gb_balance, old_plan_id, new_plan_id,
                                                       overage_gb)
                            VALUES (:id, :periodStart, :newStart, :newEnd, :rule, :oldBalance, :newBalance, :oldPlan,
                                    :newPlan, :overage)
                            ON CONFLICT (subscription_id, period_start) DO NOTHING""")
                    .param("id", subscriptionId).param("periodStart", Timestamp.from(d.periodStart()))
                    .param("newStart", Timestamp.from(end)).param("newEnd", Timestamp.from(nextEnd == null ? end : nextEnd))
                    .param("rule", rule).param("oldBalance", d.gbBalance()).param("newBalance", newBalance)
                    .param("oldPlan", d.planId()).param("newPlan", next.id()).param("overage", overage)
                    .update();
            if (recorded == 0) {
                // Renewed already (cannot happen while the period moves in the same transaction; kept as a guard).
                return periods;
            }
            if (ends) {
                // The subscription ends with this period (a cancellation): the period closes without a next one.
                jdbc.sql("UPDATE user_plans SET period_end = NULL, gb_balance = :balance, pending_since = NULL WHERE id = :id")
                        .param("id", subscriptionId).param("balance", newBalance).update();
            } else {
                jdbc.sql("""
                                UPDATE user_plans SET plan_id = :plan, period_start = :newStart, period_end = :newEnd,
                                       gb_balance = :balance, period_gb_used = 0, pending_plan_id = NULL,
                                       pending_since = NULL
                                WHERE id = :id""")
                        .param("id", subscriptionId).param("plan", next.id()).param("newStart", Timestamp.from(end))
                        .param("newEnd", nextEnd == null ? null : Timestamp.from(nextEnd)).param("balance", newBalance)
                        .update();
            }
            Map<String, String> details = new java.util.HashMap<>(Map.of(
                    "plan", d.planId(),
                    "rule", rule,
                    "oldPeriodStart", d.periodStart().toString(),
                    "newPeriodStart", end.toString(),
                    "newPeriodEnd", String.valueOf(nextEnd),
                    "oldGbBalance", d.gbBalance().toPlainString(),
                    "newGbBalance", newBalance.toPlainString()));
            if (!next.id().equals(d.planId())) {
                details.put("newPlan", next.id());
            }
            if (overage.signum() > 0) {
                details.put("overageGb", overage.toPlainString());
            }
            audit.record(new AuditEvent(d.userId(), AuditAction.PLAN_RENEWED, "subscription",
                    subscriptionId.toString(), details));
            if (overage.signum() > 0) {
                events.publishEvent(new PeriodOverage(d.userId(), subscriptionId, d.planId(), d.periodStart(), end,
                        overage, java.util.Objects.requireNonNull(plan.overagePerGb()), d.renewsOnPayment()));
            }
            periods++;
            if (ends || nextEnd == null) {
                return periods;
            }
        }
        return periods;
    }

    private String renewalRule(String planId) {
        return jdbc.sql("SELECT renewal FROM plans WHERE id = :id").param("id", planId).query(String.class).single();
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
            @Nullable Instant expiresAt, BigDecimal gbBalance, @Nullable String pendingPlanId, boolean pendingCancel,
            boolean renewsOnPayment, String rule, @Nullable BigDecimal included) {}
}
