package io.iploop.server.billing.internal;

import io.iploop.server.billing.AutoTopUpSettings;
import io.iploop.server.billing.BillingException;
import io.iploop.server.billing.BillingException.Reason;
import io.iploop.server.billing.BillingPackage;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.CreditAlertSettings;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's auto top-up ({@code GET/PUT /api/billing/auto-top-up}) and low-balance alert of the
 * prepaid credits ({@code GET/PUT /api/billing/alerts/credits}, next to the usage alerts of
 * {@code /api/billing/alerts}); docs/billing.md#auto-top-up, #low-balance-alerts. Bad values are
 * 400 {@code validation_failed} naming the field.
 */
@RestController
@Tag(name = "billing", description = "Paying in: packages, top-ups, invoices")
class CreditSettingsController {

    private static final BigDecimal MAX_USD = new BigDecimal("10000");

    private final CreditSettingsRepository watch;
    private final BillingService billing;

    CreditSettingsController(CreditSettingsRepository watch, BillingService billing) {
        this.watch = watch;
        this.billing = billing;
    }

    @GetMapping("/api/billing/auto-top-up")
    @Operation(summary = "The caller's auto top-up of the prepaid credits")
    AutoTopUpSettings autoTopUp(@AuthenticationPrincipal AuthenticatedUser caller) {
        return watch.autoTopUp(caller.userId());
    }

    @PutMapping("/api/billing/auto-top-up")
    @Transactional
    @Operation(summary = "Replace the caller's auto top-up: {enabled, thresholdUsd, packageId, maxPerMonth}; when the"
            + " balance falls under the threshold an invoice for the credit package is created, once per crossing and"
            + " at most maxPerMonth times per calendar month")
    AutoTopUpSettings setAutoTopUp(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody AutoTopUpRequest r) {
        boolean enabled = Boolean.TRUE.equals(r.enabled());
        BigDecimal threshold = r.thresholdUsd();
        if (threshold != null && (threshold.signum() <= 0 || threshold.compareTo(MAX_USD) > 0 || threshold.scale() > 2)) {
            throw invalid("thresholdUsd", "thresholdUsd: " + threshold + " (expected: USD 0.01-10000, 2 decimals at most)");
        }
        if (enabled && threshold == null) {
            throw invalid("thresholdUsd", "thresholdUsd: missing (expected: the balance in USD under which to top up)");
        }
        String packageId = r.packageId() == null || r.packageId().isBlank() ? null : r.packageId().strip();
        List<String> credits = billing.packages().stream().filter(p -> p.kind() == PackageKind.CREDITS)
                .map(BillingPackage::id).toList();
        if ((enabled || packageId != null) && (packageId == null || !credits.contains(packageId))) {
            throw invalid("packageId", "packageId: " + (packageId == null ? "missing" : "'" + abbreviate(packageId)
                    + "' is not a credit package") + " (expected one of " + credits + ")");
        }
        int max = r.maxPerMonth() == null ? 1 : r.maxPerMonth();
        if (max < 1 || max > 31) {
            throw invalid("maxPerMonth", "maxPerMonth: " + max + " (expected: 1-31)");
        }
        watch.saveAutoTopUp(caller.userId(), new AutoTopUpSettings(enabled, threshold, packageId, max));
        return watch.autoTopUp(caller.userId());
    }

    @GetMapping("/api/billing/alerts/credits")
    @Operation(summary = "The caller's low-balance alert of the prepaid credits")
    CreditAlertSettings alerts(@AuthenticationPrincipal AuthenticatedUser caller) {
        return watch.alerts(caller.userId());
    }

    @PutMapping("/api/billing/alerts/credits")
    @Transactional
    @Operation(summary = "Replace the caller's low-balance alert: {lowBalanceUsd} (null: none); sent once each time "
            + "the balance falls under it, in the dashboard and by e-mail while low-balance e-mails are on")
    CreditAlertSettings setAlerts(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody CreditAlertSettings r) {
        BigDecimal low = r.lowBalanceUsd();
        if (low != null && (low.signum() <= 0 || low.compareTo(MAX_USD) > 0 || low.scale() > 2)) {
            throw invalid("lowBalanceUsd", "lowBalanceUsd: " + low + " (expected: USD 0.01-10000, 2 decimals at most,"
                    + " or null for no alert)");
        }
        watch.saveAlerts(caller.userId(), r);
        return watch.alerts(caller.userId());
    }

    /** The JSON shape; absent {@code enabled} is off, absent {@code maxPerMonth} is 1. */
    record AutoTopUpRequest(@Nullable Boolean enabled, @Nullable BigDecimal thresholdUsd, @Nullable String packageId,
            @Nullable Integer maxPerMonth) {}

    private static BillingException invalid(String field, String message) {
        return new BillingException(Reason.VALIDATION, message, field);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
