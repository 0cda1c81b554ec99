package io.iploop.server.pool.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingPackage;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.billing.PoolPlanSales;
import io.iploop.server.pool.PoolPlan;
import io.iploop.server.pool.PoolSubscription;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Customers buying pool plans through billing (docs/upstream-pool.md#buying-a-pool-plan). The plans
 * marked {@code for_sale} (Basic, Pro, Enterprise; Custom stays admin-granted) are offered as
 * {@code pool-<plan>} packages at their list price. A paid invoice grants 30 days (the plan's validity
 * when set) on every pool port: bought while the same plan is live, the days are added to its end
 * (renewal, nothing lost); otherwise the new plan starts now with a new monthly quota period.
 * {@code pool_purchases} keeps one row per paid invoice (primary key), so a replayed payment grants
 * once, and a full refund, chargeback or failed payment takes back exactly the days it added.
 * Runs in billing's transaction with the invoice row locked; the subscription row is locked too, so
 * two invoices of one account paid at once add up. Thread-safe.
 */
@Component
class PoolPlanPurchases implements PoolPlanSales {

    /** Package ids are {@code pool-<plan id>}. */
    static final String PREFIX = "pool-";
    /** Days a purchase adds when its plan has no validity of its own. */
    static final int DEFAULT_DAYS = 30;

    private final JdbcClient jdbc;
    private final PoolRepository repository;
    private final AuditService audit;
    private final Clock clock;

    PoolPlanPurchases(JdbcClient jdbc, PoolRepository repository, AuditService audit, Clock clock) {
        this.jdbc = jdbc;
        this.repository = repository;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public List<BillingPackage> offers() {
        List<String> ids = jdbc.sql("SELECT id FROM pool_plans WHERE for_sale AND price > 0 ORDER BY price, id")
                .query(String.class).list();
        return ids.stream().map(repository::plan).flatMap(Optional::stream).map(PoolPlanPurchases::offer).toList();
    }

    /** The package of one plan: its name with the limits a buyer compares. */
    static BillingPackage offer(PoolPlan p) {
        long cents = p.price().movePointRight(2).longValueExact();
        String name = "Pool plan " + p.name() + ": " + (p.maxThreads() == 0 ? "unlimited" : p.maxThreads())
                + " threads, " + (p.monthlyQuotaBytes() == 0 ? "unlimited data"
                        : new BigDecimal(p.monthlyQuotaBytes()).movePointLeft(9).stripTrailingZeros().toPlainString()
                                + " GB/month")
                + ", " + days(p) + " days";
        return new BillingPackage(PREFIX + p.id(), PackageKind.POOL, name, cents, null, null, null);
    }

    private static int days(PoolPlan p) {
        return p.validityDays() > 0 ? p.validityDays() : DEFAULT_DAYS;
    }

    @Override
    public void checkPurchase(UUID userId, BillingPackage offer) {
        Optional<PoolSubscription> s = repository.subscription(userId);
        if (s.isPresent() && s.get().bannedAt() != null) {
            throw new BillingException(BillingException.Reason.VALIDATION, "packageId: the account is banned from the "
                    + "upstream pool (" + s.get().banReason() + "); contact support", "packageId");
        }
        if (s.isPresent() && s.get().expiresAt() == null) {
            throw new BillingException(BillingException.Reason.VALIDATION, "packageId: the account's pool access has "
                    + "no end (granted by an administrator); contact support to change it", "packageId");
        }
    }

    @Override
    public void fulfil(Invoice invoice) {
        if (invoice.packageKind() != PackageKind.POOL || !invoice.packageId().startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a pool plan invoice: " + invoice.number());
        }
        String planId = invoice.packageId().substring(PREFIX.length());
        PoolPlan plan = repository.plan(planId).orElseThrow(() -> new IllegalStateException(
                "invoice " + invoice.number() + " pays pool plan " + planId + ", which no longer exists"));
        UUID userId = invoice.userId();
        if (jdbc.sql("SELECT 1 FROM pool_purchases WHERE invoice_id = :id").param("id", invoice.id())
                .query(Integer.class).optional().isPresent()) {
            return; // granted already: a replayed payment
        }
        Instant now = clock.instant();
        Duration added = Duration.ofDays(days(plan));
        PoolSubscription current = lockSubscription(userId).orElse(null);
        boolean live = current != null && current.expiresAt() != null && current.expiresAt().isAfter(now);
        Instant previousEnd = live ? current.expiresAt() : null;
        Instant newEnd;
        if (live && current.planId().equals(plan.id())) {
            newEnd = current.expiresAt().plus(added); // renewal: the days left are kept
            jdbc.sql("UPDATE pool_subscriptions SET expires_at = :end, updated_at = now() WHERE user_id = :uid")
                    .param("end", Timestamp.from(newEnd)).param("uid", userId).update();
        } else {
            // A new plan (or after the old one ended): it starts now, on every port, with a new quota period.
            newEnd = now.plus(added).truncatedTo(ChronoUnit.MICROS);
            jdbc.sql("""
                            INSERT INTO pool_subscriptions (user_id, plan_id, ports, period_start, expires_at)
                            VALUES (:uid, :plan, 'all', :now, :end)
                            ON CONFLICT (user_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, ports = 'all',
                                period_start = EXCLUDED.period_start, expires_at = EXCLUDED.expires_at, updated_at = now()""")
                    .param("uid", userId).param("plan", plan.id()).param("now", Timestamp.from(now))
                    .param("end", Timestamp.from(newEnd)).update();
        }
        jdbc.sql("""
                        INSERT INTO pool_purchases (invoice_id, user_id, plan_id, previous_end, new_end, added_seconds)
                        VALUES (:id, :uid, :plan, :prev, :end, :added)""")
                .param("id", invoice.id()).param("uid", userId).param("plan", plan.id())
                .param("prev", previousEnd == null ? null : Timestamp.from(previousEnd))
                .param("end", Timestamp.from(newEnd)).param("added", added.toSeconds()).update();
        audit.record(new AuditEvent(userId, AuditAction.POOL_PLAN_PURCHASED, "invoice", invoice.id().toString(),
                Map.of("owner", userId.toString(), "plan", plan.id(), "invoiceNumber", invoice.number(),
                        "previousEnd", previousEnd == null ? "none" : previousEnd.toString(), "newEnd", newEnd.toString())));
    }

    @Override
    public void revoke(Invoice invoice, String reason) {
        Optional<Purchase> found = jdbc.sql("""
                        SELECT plan_id, added_seconds FROM pool_purchases
                        WHERE invoice_id = :id AND revoked_at IS NULL FOR UPDATE""")
                .param("id", invoice.id())
                .query((rs, n) -> new Purchase(rs.getString("plan_id"), rs.getLong("added_seconds"))).optional();
        if (found.isEmpty()) {
            return; // granted nothing, or taken back already
        }
        Instant now = clock.instant();
        PoolSubscription current = lockSubscription(invoice.userId()).orElse(null);
        Instant newEnd = null;
        if (current != null && current.expiresAt() != null) {
            // Only the days this invoice added go; if the plan was changed since, the rest of the current
            // grant was paid by another invoice (or granted by an admin) and stays.
            Instant shortened = current.expiresAt().minusSeconds(found.get().addedSeconds());
            newEnd = shortened.isAfter(now) ? shortened : now;
            jdbc.sql("UPDATE pool_subscriptions SET expires_at = :end, updated_at = now() WHERE user_id = :uid")
                    .param("end", Timestamp.from(newEnd)).param("uid", invoice.userId()).update();
        }
        String why = reason.length() > 200 ? reason.substring(0, 200) : reason;
        jdbc.sql("UPDATE pool_purchases SET revoked_at = :now, revoke_reason = :why WHERE invoice_id = :id")
                .param("now", Timestamp.from(now)).param("why", why).param("id", invoice.id()).update();
        audit.record(new AuditEvent(invoice.userId(), AuditAction.POOL_PLAN_PURCHASE_REVOKED, "invoice",
                invoice.id().toString(), Map.of("owner", invoice.userId().toString(), "reason", why,
                        "plan", found.get().planId(), "newEnd", newEnd == null ? "none" : newEnd.toString())));
    }

    private Optional<PoolSubscription> lockSubscription(UUID userId) {
        jdbc.sql("SELECT 1 FROM pool_subscriptions WHERE user_id = :uid FOR UPDATE").param("uid", userId)
                .query(Integer.class).optional();
        return repository.subscription(userId);
    }

    private record Purchase(String planId, long addedSeconds) {}
}
