package io.iploop.server.billing.internal;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.net.RequestOptions;
import com.stripe.param.SubscriptionUpdateParams;
import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingException.Reason;
import io.iploop.server.billing.internal.StripeRepository.StripeSubscriptionRow;
import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.Subscription;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Plan changes of a subscription collected by Stripe (docs/billing.md#plan-changes), made through
 * stripe-java's subscription update; Stripe bills the money, and the webhook's
 * {@code customer.subscription.updated} applies the result to the local plan exactly once
 * (StripeBilling). An upgrade replaces the subscription item's price with
 * {@code proration_behavior=create_prorations} (Stripe credits the unused time and charges the new
 * price on the next invoice); a downgrade is first scheduled locally, then the price is replaced
 * with {@code proration_behavior=none}, so the next period is billed at the lower price and the
 * local plan changes when that period is paid. Stripe is called outside database transactions, with
 * an idempotency key per change. Thread-safe.
 */
@Component
class StripePlanChanges {

    /** Stripe subscription statuses after which the subscription no longer pays for the plan. */
    static final Set<String> ENDED = Set.of("unpaid", "canceled", "incomplete_expired");

    private static final Logger log = LoggerFactory.getLogger(StripePlanChanges.class);

    private final StripeBilling stripe;
    private final StripeSettings settings;
    private final PlansService plans;
    private final TransactionTemplate tx;
    private final Clock clock;

    StripePlanChanges(StripeBilling stripe, StripeSettings settings, PlansService plans, TransactionTemplate tx,
            Clock clock) {
        this.stripe = stripe;
        this.settings = settings;
        this.plans = plans;
        this.tx = tx;
        this.clock = clock;
    }

    /** Changes the Stripe subscription {@code row} to {@code target}, billed every {@code interval}. */
    io.iploop.server.billing.PlanChange change(StripeSubscriptionRow row, Plan target, String interval) {
        String price = settings.price(target.id(), interval).orElseThrow(() -> new BillingException(Reason.VALIDATION,
                "planId: plan '" + target.id() + "' cannot be paid by card every " + interval
                        + " (no Stripe price configured)", "planId"));
        Subscription current = plans.current(row.userId()).orElseThrow();
        if (current.planId().equals(target.id())) {
            throw new BillingException(Reason.VALIDATION, "planId: the account is on '" + target.id() + "' already",
                    "planId");
        }
        Plan from = plans.find(current.planId()).orElseThrow();
        boolean upgrade = target.priceMonthly() != null && from.priceMonthly() != null
                && target.priceMonthly().amount().compareTo(from.priceMonthly().amount()) > 0;
        Instant now = clock.instant();
        if (!upgrade) {
            tx.executeWithoutResult(s -> plans.schedulePlanChange(row.userId(), row.userId(), target.id()));
            try {
                update(row, price, target.id(), SubscriptionUpdateParams.ProrationBehavior.NONE,
                        "plan-change:" + row.subscriptionId() + ":" + current.periodStart().getEpochSecond() + ":" + target.id());
            } catch (BillingException e) {
                tx.executeWithoutResult(s -> plans.withdrawPlanChange(row.userId(), row.userId()));
                throw e;
            }
            return PlanChanges.outcome("downgrade", from.id(), target.id(),
                    java.util.Objects.requireNonNull(current.periodEnd(), "period end"), null, null, StripeBilling.PROVIDER);
        }
        update(row, price, target.id(), SubscriptionUpdateParams.ProrationBehavior.CREATE_PRORATIONS,
                "plan-change:" + row.subscriptionId() + ":" + current.periodStart().getEpochSecond() + ":" + target.id());
        // The local plan changes when Stripe reports the updated subscription (customer.subscription.updated).
        return PlanChanges.outcome("upgrade", from.id(), target.id(), now, null, null, StripeBilling.PROVIDER);
    }

    /** Sets (or takes back) Stripe's {@code cancel_at_period_end}; the webhook applies it to the plan's end. */
    void cancelAtPeriodEnd(StripeSubscriptionRow row, boolean cancel) {
        SubscriptionUpdateParams params = SubscriptionUpdateParams.builder().setCancelAtPeriodEnd(cancel).build();
        call(() -> stripe.stripeClient().v1().subscriptions().update(row.subscriptionId(), params,
                RequestOptions.builder().setIdempotencyKey("cancel:" + row.subscriptionId() + ":" + cancel + ":"
                        + UUID.randomUUID()).build()));
    }

    /** Puts the current plan's price back after a withdrawn downgrade (no proration: nothing was billed). */
    void restorePrice(StripeSubscriptionRow row, String planId) {
        settings.price(planId, "month").ifPresent(price -> update(row, price, planId,
                SubscriptionUpdateParams.ProrationBehavior.NONE, "plan-restore:" + row.subscriptionId() + ":"
                        + UUID.randomUUID()));
    }

    private void update(StripeSubscriptionRow row, String price, String planId,
            SubscriptionUpdateParams.ProrationBehavior proration, String idempotencyKey) {
        StripeClient client = stripe.stripeClient();
        call(() -> {
            com.stripe.model.Subscription sub = client.v1().subscriptions().retrieve(row.subscriptionId());
            String item = sub.getItems() == null || sub.getItems().getData() == null || sub.getItems().getData().isEmpty()
                    ? null : sub.getItems().getData().getFirst().getId();
            if (item == null) {
                throw new BillingException(Reason.PROVIDER_UNAVAILABLE, "the card subscription has no item to change",
                        null);
            }
            SubscriptionUpdateParams params = SubscriptionUpdateParams.builder()
                    .addItem(SubscriptionUpdateParams.Item.builder().setId(item).setPrice(price).build())
                    .setProrationBehavior(proration)
                    .putMetadata("planId", planId)
                    .build();
            return client.v1().subscriptions().update(row.subscriptionId(), params,
                    RequestOptions.builder().setIdempotencyKey(idempotencyKey).build());
        });
    }

    private interface StripeCall {
        Object call() throws StripeException;
    }

    private static void call(StripeCall call) {
        try {
            call.call();
        } catch (StripeException e) {
            log.warn("Stripe refused a subscription change: {} (request id {})", e.getMessage(), e.getRequestId());
            throw new BillingException(Reason.PROVIDER_UNAVAILABLE,
                    "the card payment provider did not answer as expected; try again in a moment", null);
        }
    }
}
