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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Customers buying pool plans through billing (docs/upstream-pool.md#buying-a-pool-plan). The plans
 * marked {@code for_sale} (Basic, Pro, Enterprise; Custom stays admin-granted) are offered as
 * {@code pool-<plan>} packages at their list price. A paid invoice grants 30 days (the plan's validity
 * when set) on every pool port: bought while the same plan is live, the days are added to its end
 * (renewal, nothing lost); otherwise the new plan starts now with a new monthly quota period.
 * {@code pool_purchases} keeps one row per paid invoice (primary key), so a replayed payment grants
 * once, and a full refund, chargeback or failed payment takes back exactly the days it added (and
 * records the time that removed from the grant, which a dispute won gives back).
 * Runs in billing's transaction with the invoice row locked; the subscription row is locked too, so
 * two invoices of one account paid at once add up. Thread-safe.
 */
@Component
class PoolPlanPurchases implements PoolPlanSales {

    private static final Logger log = LoggerFactory.getLogger(PoolPlanPurchases.class);

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
            newEnd = startNow(userId, plan.id(), now, added);
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
        long taken = 0;
        if (current != null && current.expiresAt() != null) {
            // Only the days this invoice added go; if the plan was changed since, the rest of the current
            // grant was paid by another invoice (or granted by an admin) and stays.
            Instant shortened = current.expiresAt().minusSeconds(found.get().addedSeconds());
            newEnd = shortened.isAfter(now) ? shortened : now;
            // What a won dispute gives back: only time the grant still had.
            taken = Math.max(0, Duration.between(newEnd, current.expiresAt()).toSeconds());
            jdbc.sql("UPDATE pool_subscriptions SET expires_at = :end, updated_at = now() WHERE user_id = :uid")
                    .param("end", Timestamp.from(newEnd)).param("uid", invoice.userId()).update();
        }
        String why = reason.length() > 200 ? reason.substring(0, 200) : reason;
        jdbc.sql("""
                        UPDATE pool_purchases SET revoked_at = :now, revoke_reason = :why, taken_seconds = :taken,
                            reinstated_at = NULL
                        WHERE invoice_id = :id""")
                .param("now", Timestamp.from(now)).param("why", why).param("taken", taken).param("id", invoice.id())
                .update();
        audit.record(new AuditEvent(invoice.userId(), AuditAction.POOL_PLAN_PURCHASE_REVOKED, "invoice",
                invoice.id().toString(), Map.of("owner", invoice.userId().toString(), "reason", why,
                        "plan", found.get().planId(), "newEnd", newEnd == null ? "none" : newEnd.toString())));
    }

    /** A new plan (or after the old one ended): it starts now, on every port, with a new quota period. @return its end */
    private Instant startNow(UUID userId, String planId, Instant now, Duration length) {
        Instant end = now.plus(length).truncatedTo(ChronoUnit.MICROS);
        jdbc.sql("""
                        INSERT INTO pool_subscriptions (user_id, plan_id, ports, period_start, expires_at)
                        VALUES (:uid, :plan, 'all', :now, :end)
                        ON CONFLICT (user_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, ports = 'all',
                            period_start = EXCLUDED.period_start, expires_at = EXCLUDED.expires_at, updated_at = now()""")
                .param("uid", userId).param("plan", planId).param("now", Timestamp.from(now))
                .param("end", Timestamp.from(end)).update();
        return end;
    }

    private Optional<PoolSubscription> lockSubscription(UUID userId) {
        jdbc.sql("SELECT 1 FROM pool_subscriptions WHERE user_id = :uid FOR UPDATE").param("uid", userId)
                .query(Integer.class).optional();
        return repository.subscription(userId);
    }

    @Override
    public void reinstate(Invoice invoice, String reason) {
        Optional<Revoked> found = jdbc.sql("""
                        SELECT plan_id, taken_seconds FROM pool_purchases
                        WHERE invoice_id = :id AND revoked_at IS NOT NULL FOR UPDATE""")
                .param("id", invoice.id())
                .query((rs, n) -> new Revoked(rs.getString("plan_id"), rs.getObject("taken_seconds", Long.class))).optional();
        if (found.isEmpty()) {
            return; // never revoked, or given back already
        }
        UUID userId = invoice.userId();
        String planId = found.get().planId();
        Instant now = clock.instant();
        String why = reason.length() > 200 ? reason.substring(0, 200) : reason;
        long back = found.get().takenSeconds() == null ? 0 : found.get().takenSeconds();
        Instant newEnd = null;
        if (found.get().takenSeconds() == null) {
            // Revoked before revocations recorded what they took: an admin re-grants by hand.
            log.error("Pool access of invoice {} revoked without a record of what was taken: not given back ({}); "
                    + "re-grant it by hand", invoice.number(), why);
        } else if (back > 0) {
            PoolSubscription current = lockSubscription(userId).orElse(null);
            boolean live = current != null && current.expiresAt() != null && current.expiresAt().isAfter(now);
            if (live && current.planId().equals(planId)) {
                newEnd = current.expiresAt().plusSeconds(back);
                jdbc.sql("UPDATE pool_subscriptions SET expires_at = :end, updated_at = now() WHERE user_id = :uid")
                        .param("end", Timestamp.from(newEnd)).param("uid", userId).update();
            } else if (live) {
                // Another plan, bought since, is running: which of the two the time belongs on is a question
                // for a person, not a rule.
                log.error("Pool access of invoice {} ({} s of plan {}) not given back by itself: plan {} is live now; "
                        + "re-grant it by hand ({})", invoice.number(), back, planId, current.planId(), why);
                back = 0;
            } else {
                newEnd = startNow(userId, planId, now, Duration.ofSeconds(back));
            }
        }
        jdbc.sql("""
                        UPDATE pool_purchases SET revoked_at = NULL, revoke_reason = NULL, taken_seconds = NULL,
                            reinstated_at = :now
                        WHERE invoice_id = :id""")
                .param("now", Timestamp.from(now)).param("id", invoice.id()).update();
        audit.record(new AuditEvent(userId, AuditAction.POOL_PLAN_PURCHASE_REINSTATED, "invoice", invoice.id().toString(),
                Map.of("owner", userId.toString(), "reason", why, "plan", planId, "givenBackSeconds", Long.toString(back),
                        "newEnd", newEnd == null ? "unchanged" : newEnd.toString())));
    }

    private record Purchase(String planId, long addedSeconds) {}

    private record Revoked(String planId, @Nullable Long takenSeconds) {}
}
