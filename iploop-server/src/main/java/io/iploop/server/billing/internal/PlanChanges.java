package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingException.Reason;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.InvoiceLine;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.billing.PlanChange;
import io.iploop.server.billing.PlanChangeService;
import io.iploop.server.billing.internal.StripeRepository.StripeSubscriptionRow;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A customer's plan changes made through billing (docs/billing.md#plan-changes): an upgrade (a
 * higher monthly price) takes effect now, prorated by {@link Proration}; a downgrade (a lower or
 * equal price) and a cancellation are scheduled for the period end and can be withdrawn until then.
 * A subscription collected by Stripe is changed in Stripe ({@link StripePlanChanges}); the others
 * (the manual provider) get an invoice for the prorated difference, billed at once
 * ({@link BilledInvoices}, ledger key {@code plan-change:<change id>}).
 *
 * <p>Changes of one account queue on a transaction-scoped advisory lock, so a double click cannot
 * upgrade (and bill) twice: the second request finds the account already on the plan. Thread-safe.
 */
@Component
class PlanChanges implements PlanChangeService {

    private final PlansService plans;
    private final BilledInvoices billed;
    private final StripeRepository stripeRows;
    private final StripePlanChanges stripe;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    PlanChanges(PlansService plans, BilledInvoices billed, StripeRepository stripeRows, StripePlanChanges stripe,
            JdbcClient jdbc, TransactionTemplate tx, Clock clock) {
        this.plans = plans;
        this.billed = billed;
        this.stripeRows = stripeRows;
        this.stripe = stripe;
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    /** A change's result with {@code proration} (null for a downgrade or a change made in Stripe). */
    static PlanChange outcome(String kind, String fromPlan, String toPlan, Instant effectiveAt,
            @Nullable Proration proration, @Nullable Invoice invoice, String provider) {
        return new PlanChange(kind, fromPlan, toPlan, effectiveAt, provider,
                proration == null ? null : proration.unusedShare(), proration == null ? null : proration.creditCents(),
                proration == null ? null : proration.chargeCents(), proration == null ? null : proration.gbDelta(),
                invoice);
    }

    /**
     * Changes the caller's plan to {@code planId}.
     *
     * @param interval {@code month} (default) or, for a Stripe subscription with a yearly price, {@code year}
     * @throws BillingException {@code VALIDATION} naming {@code planId} (unknown, inactive, custom-priced, the
     *     current plan) or {@code interval}; {@code NO_SUBSCRIPTION} without an active plan, or a downgrade of a
     *     plan without a period end; {@code PROVIDER_UNAVAILABLE} when Stripe refused
     */
    @Override
    public PlanChange change(UUID userId, @Nullable String planId, @Nullable String interval) {
        String wanted = planId == null ? "" : planId.strip();
        String every = interval == null || interval.isBlank() ? "month" : interval.strip();
        if (!every.equals("month") && !every.equals("year")) {
            throw invalid("interval", "interval: '" + abbreviate(every) + "' (expected: month or year)");
        }
        Plan target = plans.catalogue().stream().filter(p -> p.id().equals(wanted)).findFirst()
                .orElseThrow(() -> invalid("planId", "planId: " + (wanted.isEmpty() ? "missing"
                        : "unknown plan '" + abbreviate(wanted) + "'") + " (expected one of "
                        + plans.catalogue().stream().filter(p -> p.priceMonthly() != null).map(Plan::id).toList() + ")"));
        if (target.priceMonthly() == null) {
            throw invalid("planId", "planId: '" + target.id() + "' has a custom price; contact sales");
        }
        Optional<StripeSubscriptionRow> card = cardSubscription(userId);
        if (card.isPresent()) {
            return stripe.change(card.get(), target, every);
        }
        if (every.equals("year")) {
            throw invalid("interval", "interval: year is only offered for card subscriptions (expected: month)");
        }
        PlanChange outcome = tx.execute(s -> changeManual(userId, target));
        return java.util.Objects.requireNonNull(outcome);
    }

    /** Schedules the cancellation of the caller's plan for its period end (a card subscription: in Stripe). */
    @Override
    public Subscription cancel(UUID userId) {
        Optional<StripeSubscriptionRow> card = cardSubscription(userId);
        if (card.isPresent()) {
            stripe.cancelAtPeriodEnd(card.get(), true);
        }
        Subscription s = tx.execute(st -> {
            lock(userId);
            return plans.schedulePlanChange(userId, userId, null);
        });
        return java.util.Objects.requireNonNull(s);
    }

    /** Withdraws the caller's scheduled downgrade or cancellation (a card subscription: in Stripe too). */
    @Override
    public Subscription withdraw(UUID userId) {
        Optional<StripeSubscriptionRow> card = cardSubscription(userId);
        Subscription current = plans.current(userId).orElseThrow(() -> new BillingException(Reason.NO_SUBSCRIPTION,
                "the account has no active plan", null));
        if (card.isPresent()) {
            if (current.pendingCancel()) {
                stripe.cancelAtPeriodEnd(card.get(), false);
            } else if (current.pendingPlanId() != null) {
                stripe.restorePrice(card.get(), current.planId());
            }
        }
        Subscription s = tx.execute(st -> {
            lock(userId);
            return plans.withdrawPlanChange(userId, userId);
        });
        return java.util.Objects.requireNonNull(s);
    }

    private PlanChange changeManual(UUID userId, Plan target) {
        lock(userId);
        Subscription current = plans.current(userId).filter(s -> "active".equals(s.status()))
                .orElseThrow(() -> new BillingException(Reason.NO_SUBSCRIPTION, "the account has no active plan", null));
        Plan from = plans.find(current.planId()).orElseThrow();
        if (from.id().equals(target.id())) {
            throw invalid("planId", "planId: the account is on '" + target.id() + "' already");
        }
        Instant now = clock.instant();
        long oldPrice = cents(from.priceMonthly() == null ? null : from.priceMonthly().amount());
        long newPrice = cents(target.priceMonthly().amount());
        if (newPrice <= oldPrice) {
            Subscription scheduled = plans.schedulePlanChange(userId, userId, target.id());
            return outcome("downgrade", from.id(), target.id(), java.util.Objects.requireNonNull(scheduled.periodEnd()),
                    null, null, DefaultBillingService.MANUAL_PROVIDER);
        }
        UUID changeId = UUID.randomUUID();
        Proration proration;
        Subscription after;
        if (current.periodEnd() == null) {
            // A plan without periods (Trial, Pay-as-you-go): the new plan starts a new subscription and period now.
            after = plans.subscribe(userId, target.id());
            proration = new Proration(BigDecimal.ONE, 0, newPrice, target.includedGb() == null ? BigDecimal.ZERO
                    : target.includedGb());
        } else {
            proration = Proration.of(current.periodStart(), current.periodEnd(), now, oldPrice, newPrice,
                    included(from), included(target));
            after = plans.switchPlanNow(userId, userId, target.id(), proration.gbDelta());
        }
        Invoice invoice = null;
        if (proration.amountCents() > 0) {
            String description = current.periodEnd() == null
                    ? "Plan " + target.name() + ", " + after.periodStart() + " to " + after.periodEnd()
                    : "Upgrade " + from.name() + " → " + target.name() + " for the rest of the period to "
                            + current.periodEnd() + " (" + pct(proration.unusedShare()) + " of the period): "
                            + target.name() + " USD " + usd(proration.chargeCents()) + " less unused " + from.name()
                            + " USD " + usd(proration.creditCents());
            invoice = billed.issue(userId, PackageKind.PLAN, target.id(),
                    java.util.List.of(new InvoiceLine(description, 1, proration.amountCents(), proration.amountCents())),
                    "plan-change:" + changeId, Map.of("subscriptionId", after.id().toString(), "fromPlan", from.id(),
                            "toPlan", target.id(), "planChangeId", changeId.toString())).invoice();
        }
        Instant periodStart = current.periodEnd() == null ? after.periodStart() : current.periodStart();
        Instant periodEnd = java.util.Objects.requireNonNullElse(after.periodEnd(), now);
        jdbc.sql("""
                        INSERT INTO billing_plan_changes (id, user_id, subscription_id, from_plan, to_plan, provider,
                            period_start, period_end, changed_at, credit_cents, charge_cents, amount_cents, gb_delta, invoice_id)
                        VALUES (:id, :user, :sub, :from, :to, 'manual', :ps, :pe, :at, :credit, :charge, :amount, :gb, :invoice)""")
                .param("id", changeId).param("user", userId).param("sub", after.id()).param("from", from.id())
                .param("to", target.id()).param("ps", Timestamp.from(periodStart)).param("pe", Timestamp.from(periodEnd))
                .param("at", Timestamp.from(now)).param("credit", proration.creditCents())
                .param("charge", proration.chargeCents()).param("amount", proration.amountCents())
                .param("gb", proration.gbDelta()).param("invoice", invoice == null ? null : invoice.id()).update();
        return outcome("upgrade", from.id(), target.id(), now, proration, invoice, DefaultBillingService.MANUAL_PROVIDER);
    }

    /** The account's Stripe subscription that pays for its current plan, if any. */
    private Optional<StripeSubscriptionRow> cardSubscription(UUID userId) {
        Optional<StripeSubscriptionRow> row = tx.execute(s -> stripeRows.latestSubscription(userId));
        Optional<Subscription> local = plans.current(userId);
        return (row == null ? Optional.<StripeSubscriptionRow>empty() : row)
                .filter(r -> r.localSubscriptionId() != null && local.isPresent()
                        && r.localSubscriptionId().equals(local.get().id()) && !StripePlanChanges.ENDED.contains(r.status()));
    }

    private void lock(UUID userId) {
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))").param("key", "plan-change:" + userId)
                .query((rs, n) -> 1).single();
    }

    private static BigDecimal included(Plan plan) {
        return plan.includedGb() == null ? BigDecimal.ZERO : plan.includedGb();
    }

    private static long cents(@Nullable BigDecimal usd) {
        return usd == null ? 0 : usd.movePointRight(2).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
    }

    private static String usd(long cents) {
        return BigDecimal.valueOf(cents, 2).toPlainString();
    }

    private static String pct(BigDecimal share) {
        return share.movePointRight(2).setScale(2, java.math.RoundingMode.HALF_UP).toPlainString() + " %";
    }

    private static BillingException invalid(String field, String message) {
        return new BillingException(Reason.VALIDATION, message, field);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
