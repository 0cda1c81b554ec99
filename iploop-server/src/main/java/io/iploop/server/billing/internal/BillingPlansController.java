package io.iploop.server.billing.internal;

import io.iploop.server.plans.Plan;
import io.iploop.server.plans.PlansService;
import io.iploop.server.platform.Money;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/billing/plans} (docs/billing.md#plans-on-sale): the plans of the catalogue that are
 * sold for a price (not the free trial, not Enterprise's custom pricing), each with its prices from
 * {@link PlansService#catalogue()} and whether it can be subscribed by card (a Stripe price is
 * configured for the interval). Stateless; thread-safe.
 */
@RestController
@Tag(name = "billing", description = "Paying in: packages, top-ups, invoices")
class BillingPlansController {

    private final PlansService plans;
    private final StripeBilling stripe;
    private final StripeSettings settings;

    BillingPlansController(PlansService plans, StripeBilling stripe, StripeSettings settings) {
        this.plans = plans;
        this.stripe = stripe;
        this.settings = settings;
    }

    @GetMapping("/api/billing/plans")
    @Operation(summary = "Plans on sale with their prices, and whether each can be subscribed by card monthly or yearly")
    PlansResponse plans() {
        return new PlansResponse(plans.catalogue().stream().filter(BillingPlansController::sold)
                .map(p -> new PlanOnSale(p, stripe.enabled() && settings.price(p.id(), "month").isPresent(),
                        stripe.enabled() && settings.price(p.id(), "year").isPresent()))
                .toList());
    }

    private static boolean sold(Plan p) {
        return positive(p.priceMonthly()) || positive(p.priceAnnual()) || p.paidFromCredits();
    }

    private static boolean positive(@Nullable Money m) {
        return m != null && m.amount().signum() > 0;
    }

    /**
     * @param cardMonthly a monthly subscription by card (Stripe Checkout) is possible
     * @param cardYearly a yearly one is
     */
    record PlanOnSale(Plan plan, boolean cardMonthly, boolean cardYearly) {}

    record PlansResponse(List<PlanOnSale> plans) {}
}
