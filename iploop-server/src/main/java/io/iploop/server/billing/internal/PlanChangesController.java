package io.iploop.server.billing.internal;

import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.PlanChange;
import io.iploop.server.billing.PlanChangeService;
import io.iploop.server.plans.Subscription;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/billing/subscription/…} plan changes by the customer (docs/billing.md#plan-changes):
 * change the plan (an upgrade now, prorated; a downgrade at the period end), cancel at the period end,
 * and withdraw a scheduled change. The scheduled change is shown by {@code GET /api/billing/subscription}.
 */
@RestController
@RequestMapping("/api/billing/subscription")
@Tag(name = "billing", description = "Paying in: packages, top-ups, invoices")
class PlanChangesController {

    private final PlanChangeService changes;

    PlanChangesController(PlanChangeService changes) {
        this.changes = changes;
    }

    @PostMapping("/change")
    @Operation(summary = "Change the caller's plan: an upgrade takes effect now with a prorated invoice (or in "
            + "Stripe), a downgrade is scheduled for the period end")
    ChangeResponse change(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestBody(required = false) @Nullable ChangeBody body) {
        return ChangeResponse.of(changes.change(caller.userId(), body == null ? null : body.planId(),
                body == null ? null : body.interval()));
    }

    @PostMapping("/cancel")
    @Operation(summary = "Cancel the caller's plan at the end of the current period (withdrawable until then)")
    PendingResponse cancel(@AuthenticationPrincipal AuthenticatedUser caller) {
        return PendingResponse.of(changes.cancel(caller.userId()));
    }

    @DeleteMapping("/pending-change")
    @Operation(summary = "Withdraw the caller's scheduled downgrade or cancellation")
    PendingResponse withdraw(@AuthenticationPrincipal AuthenticatedUser caller) {
        return PendingResponse.of(changes.withdraw(caller.userId()));
    }

    /**
     * @param planId the plan to move to, from {@code GET /api/plans}
     * @param interval {@code month} (default) or {@code year} (card subscriptions with a yearly price)
     */
    record ChangeBody(@Nullable String planId, @Nullable String interval) {}

    /**
     * What a plan change did.
     *
     * @param kind {@code upgrade} (effective now) or {@code downgrade} (effective at the period end)
     * @param provider {@code manual} or {@code stripe}
     * @param unusedShare the unused share of the period credited (manual upgrades), else null
     * @param creditUsd the unused share of the old plan's price, USD (manual upgrades), else null
     * @param chargeUsd the new plan's price for the rest of the period, USD (manual upgrades), else null
     * @param amountUsd what was billed (before VAT), USD (manual upgrades), else null
     * @param gbAdded GB added to the balance now (manual upgrades), else null
     * @param invoice the invoice of the prorated difference, or null (nothing to bill, a downgrade, Stripe)
     */
    record ChangeResponse(String kind, String fromPlan, String toPlan, Instant effectiveAt, String provider,
            @Nullable BigDecimal unusedShare, @Nullable BigDecimal creditUsd, @Nullable BigDecimal chargeUsd,
            @Nullable BigDecimal amountUsd, @Nullable BigDecimal gbAdded, @Nullable Invoice invoice) {

        static ChangeResponse of(PlanChange o) {
            return new ChangeResponse(o.kind(), o.fromPlan(), o.toPlan(), o.effectiveAt(), o.provider(),
                    o.unusedShare(), usd(o.creditCents()), usd(o.chargeCents()), usd(o.amountCents()), o.gbAdded(),
                    o.invoice());
        }

        private static @Nullable BigDecimal usd(@Nullable Long cents) {
            return cents == null ? null : BigDecimal.valueOf(cents, 2);
        }
    }

    /** The plan with its scheduled change (none: {@code pendingPlanId} null and {@code pendingCancel} false). */
    record PendingResponse(String plan, @Nullable String pendingPlanId, boolean pendingCancel,
            @Nullable Instant pendingEffectiveAt) {

        static PendingResponse of(Subscription s) {
            return new PendingResponse(s.planId(), s.pendingPlanId(), s.pendingCancel(),
                    s.pendingPlanId() != null || s.pendingCancel() ? s.periodEnd() : null);
        }
    }
}
