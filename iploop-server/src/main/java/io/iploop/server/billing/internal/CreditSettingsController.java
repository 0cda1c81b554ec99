package io.iploop.server.billing.internal;

import io.iploop.server.billing.AutoTopUpSettings;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.CreditAlertSettings;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's auto top-up ({@code GET/PUT /api/billing/auto-top-up}) and low-balance alert of the
 * prepaid credits ({@code GET/PUT /api/billing/alerts/credits}, next to the usage alerts of
 * {@code /api/billing/alerts}); docs/billing.md#auto-top-up, #low-balance-alerts. Bad values are
 * 400 {@code validation_failed} naming the field; the rules live in {@link BillingService#updateAutoTopUp} and
 * {@link BillingService#updateCreditAlerts}, which the billing page uses too.
 */
@RestController
@Tag(name = "billing", description = "Paying in: packages, top-ups, invoices")
class CreditSettingsController {

    private final BillingService billing;

    CreditSettingsController(BillingService billing) {
        this.billing = billing;
    }

    @GetMapping("/api/billing/auto-top-up")
    @Operation(summary = "The caller's auto top-up of the prepaid credits")
    AutoTopUpSettings autoTopUp(@AuthenticationPrincipal AuthenticatedUser caller) {
        return billing.autoTopUp(caller.userId());
    }

    @PutMapping("/api/billing/auto-top-up")
    @Operation(summary = "Replace the caller's auto top-up: {enabled, thresholdUsd, packageId, maxPerMonth}; when the"
            + " balance falls under the threshold an invoice for the credit package is created, once per crossing and"
            + " at most maxPerMonth times per calendar month")
    AutoTopUpSettings setAutoTopUp(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody AutoTopUpRequest r) {
        return billing.updateAutoTopUp(caller.userId(), new AutoTopUpSettings(Boolean.TRUE.equals(r.enabled()),
                r.thresholdUsd(), r.packageId(), r.maxPerMonth() == null ? 1 : r.maxPerMonth()));
    }

    @GetMapping("/api/billing/alerts/credits")
    @Operation(summary = "The caller's low-balance alert of the prepaid credits")
    CreditAlertSettings alerts(@AuthenticationPrincipal AuthenticatedUser caller) {
        return billing.creditAlerts(caller.userId());
    }

    @PutMapping("/api/billing/alerts/credits")
    @Operation(summary = "Replace the caller's low-balance alert: {lowBalanceUsd} (null: none); sent once each time "
            + "the balance falls under it, in the dashboard and by e-mail while low-balance e-mails are on")
    CreditAlertSettings setAlerts(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody CreditAlertSettings r) {
        return billing.updateCreditAlerts(caller.userId(), r);
    }

    /** The JSON shape; absent {@code enabled} is off, absent {@code maxPerMonth} is 1. */
    record AutoTopUpRequest(@Nullable Boolean enabled, @Nullable BigDecimal thresholdUsd, @Nullable String packageId,
            @Nullable Integer maxPerMonth) {}
}
