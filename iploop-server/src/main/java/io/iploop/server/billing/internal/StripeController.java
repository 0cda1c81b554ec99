package io.iploop.server.billing.internal;

import io.iploop.server.billing.internal.StripeRepository.StripeSubscriptionRow;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/billing} card payments through Stripe (docs/billing.md#stripe): Checkout for packages
 * and subscriptions, the Customer Portal, the caller's subscription, and Stripe's webhook (public,
 * authenticated by its signature). Every endpoint but the webhook answers 404
 * {@code stripe_not_configured} while Stripe is off.
 */
@RestController
@RequestMapping("/api/billing")
@Tag(name = "billing", description = "Paying in: packages, top-ups, invoices")
class StripeController {

    private final StripeBilling stripe;
    private final io.iploop.server.plans.PlansService plans;

    StripeController(StripeBilling stripe, io.iploop.server.plans.PlansService plans) {
        this.stripe = stripe;
        this.plans = plans;
    }

    @PostMapping("/checkout")
    @Operation(summary = "Pay a package by card: creates an open invoice and a Stripe Checkout session; "
            + "the invoice is paid when Stripe reports the payment")
    UrlResponse checkout(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestBody(required = false) @Nullable CheckoutBody body) {
        return new UrlResponse(stripe.checkout(caller.userId(),
                body == null || body.packageId() == null ? "" : body.packageId()));
    }

    @PostMapping("/subscription/checkout")
    @Operation(summary = "Subscribe to a plan by card: a Stripe Checkout session (interval month or year)")
    UrlResponse subscriptionCheckout(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestBody(required = false) @Nullable SubscriptionCheckoutBody body) {
        return new UrlResponse(stripe.subscriptionCheckout(caller.userId(),
                body == null || body.planId() == null ? "" : body.planId(),
                body == null || body.interval() == null ? "month" : body.interval()));
    }

    @GetMapping("/subscription")
    @Operation(summary = "The caller's card subscription (provider, status, period, cancellation, dunning) and "
            + "the plan with its scheduled change")
    SubscriptionResponse subscription(@AuthenticationPrincipal AuthenticatedUser caller) {
        PendingChange pending = plans.current(caller.userId()).filter(s -> "active".equals(s.status()))
                .map(s -> new PendingChange(s.planId(), s.pendingPlanId(), s.pendingCancel(),
                        s.pendingPlanId() != null || s.pendingCancel() ? s.periodEnd() : null))
                .orElse(new PendingChange(null, null, false, null));
        return stripe.subscription(caller.userId()).map(row -> SubscriptionResponse.of(row, pending))
                .orElse(new SubscriptionResponse(stripe.enabled() ? "stripe" : null, "none", null, null, null, false,
                        0, false, pending.plan(), pending.pendingPlanId(), pending.pendingCancel(),
                        pending.pendingEffectiveAt()));
    }

    /** The local plan and its scheduled change (docs/billing.md#plan-changes). */
    record PendingChange(@Nullable String plan, @Nullable String pendingPlanId, boolean pendingCancel,
            @Nullable Instant pendingEffectiveAt) {}

    @PostMapping("/portal")
    @Operation(summary = "A Stripe Customer Portal session (cards, receipts, cancellation)")
    UrlResponse portal(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new UrlResponse(stripe.portal(caller.userId()));
    }

    @PostMapping("/webhooks/stripe")
    @Operation(summary = "Stripe's webhook endpoint (Stripe-Signature verified; every event applied once)")
    Map<String, Object> webhook(@RequestBody(required = false) byte @Nullable [] payload,
            @RequestHeader(name = "Stripe-Signature", required = false) @Nullable String signature) {
        // The raw bytes as UTF-8 (Stripe's encoding): the signature covers them exactly.
        String body = payload == null ? "" : new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        return Map.of("received", true, "outcome", stripe.receive(body, signature));
    }

    /** @param packageId a package id from {@code GET /api/billing/packages} */
    record CheckoutBody(@Nullable String packageId) {}

    /**
     * @param planId a plan with a configured Stripe price
     * @param interval {@code month} (default) or {@code year}
     */
    record SubscriptionCheckoutBody(@Nullable String planId, @Nullable String interval) {}

    /** @param url where to send the customer (Stripe's hosted page) */
    record UrlResponse(String url) {}

    /**
     * The caller's card subscription.
     *
     * @param provider {@code stripe}, or null when card payments are off
     * @param status Stripe's status ({@code active}, {@code past_due}, {@code canceled}, …) or {@code none}
     * @param failedAttempts failed payment attempts of the current invoice (dunning)
     * @param suspended whether the plan is suspended for non-payment (the proxy answers 402)
     * @param plan the account's active plan (whoever collects it), or null without one
     * @param pendingPlanId the plan it moves to at the period end (a scheduled downgrade), or null
     * @param pendingCancel whether it ends at the period end (a scheduled cancellation)
     * @param pendingEffectiveAt when the scheduled change takes effect (the period end), or null
     */
    record SubscriptionResponse(@Nullable String provider, String status, @Nullable String planId,
            @Nullable Instant currentPeriodStart, @Nullable Instant currentPeriodEnd, boolean cancelAtPeriodEnd,
            int failedAttempts, boolean suspended, @Nullable String plan, @Nullable String pendingPlanId,
            boolean pendingCancel, @Nullable Instant pendingEffectiveAt) {

        static SubscriptionResponse of(StripeSubscriptionRow row, PendingChange pending) {
            return new SubscriptionResponse(StripeBilling.PROVIDER, row.status(), row.planId(), row.periodStart(),
                    row.periodEnd(), row.cancelAtPeriodEnd(), row.failedAttempts(), row.suspended(), pending.plan(),
                    pending.pendingPlanId(), pending.pendingCancel(), pending.pendingEffectiveAt());
        }
    }
}
