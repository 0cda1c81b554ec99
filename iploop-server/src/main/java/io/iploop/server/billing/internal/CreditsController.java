package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingPackage;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.CreditBalance;
import io.iploop.server.billing.FeatureSession;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.billing.PaymentInstructions;
import io.iploop.server.ledger.LedgerPage;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Prepaid credits (docs/billing.md#credits-api): {@code GET /api/credits/packages},
 * {@code GET /api/credits/balance}, and the caller's time-based targeting sessions at
 * {@code GET /api/proxy/feature-sessions} (next to the sticky sessions of
 * {@code GET /api/proxy/sessions}). Buying is {@code POST /api/billing/credits/purchase}, also at
 * {@code POST /api/credits/purchase}; {@code GET /api/credits/transactions} lists the credit ledger lines
 * and {@code GET /api/credits/features} the hourly rates.
 */
@RestController
@Tag(name = "billing", description = "Paying in: packages, top-ups, invoices")
class CreditsController {

    private final BillingService billing;
    private final CreditLedger ledger;
    private final TargetingFeatures features;

    CreditsController(BillingService billing, CreditLedger ledger, TargetingFeatures features) {
        this.billing = billing;
        this.ledger = ledger;
        this.features = features;
    }

    @GetMapping("/api/credits/packages")
    @Operation(summary = "Credit packages on sale (1 credit = USD 1), the caller's balance and how to pay")
    CreditPackagesResponse packages(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new CreditPackagesResponse(
                billing.packages().stream().filter(p -> p.kind() == PackageKind.CREDITS).toList(),
                billing.creditBalance(caller.userId()), billing.paymentInstructions());
    }

    @GetMapping({"/api/credits/balance", "/api/billing/credits/balance"})
    @Operation(summary = "The caller's prepaid credits (USD), open time-based targeting sessions with their cost so far,"
            + " and the hours the balance lasts at each rate")
    CreditBalance balance(@AuthenticationPrincipal AuthenticatedUser caller) {
        return billing.credits(caller.userId());
    }

    @PostMapping("/api/credits/purchase")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Buy a credit package (the same as POST /api/billing/credits/purchase): an open invoice "
            + "with payment instructions")
    BillingController.TopUpResponse purchase(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestBody(required = false) BillingController.@Nullable TopUpBody body) {
        return new BillingController.TopUpResponse(billing.requestCreditPurchase(caller.userId(),
                body == null || body.packageId() == null ? "" : body.packageId()), billing.paymentInstructions());
    }

    @GetMapping("/api/credits/transactions")
    @Operation(summary = "The caller's prepaid-credit ledger lines (purchases, bonuses, targeting charges, refunds), "
            + "newest first (page from 1, limit 1-100)")
    LedgerPage transactions(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "1") int page, @RequestParam(defaultValue = "20") int limit) {
        return ledger.transactions(caller.userId(), page, limit);
    }

    @GetMapping("/api/credits/features")
    @Operation(summary = "Targeting options charged by the hour from the credits: rate per hour and minute, whether "
            + "the caller's plan includes them and whether the balance pays for a session")
    FeaturesResponse features(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new FeaturesResponse(features.features(caller.userId()), billing.creditBalance(caller.userId()));
    }

    @GetMapping("/api/proxy/feature-sessions")
    @Operation(summary = "The caller's time-based targeting sessions (open and closed), newest first, with cost so far")
    FeatureSessionsResponse featureSessions(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "50") int limit) {
        List<FeatureSession> sessions = billing.featureSessions(caller.userId(), limit);
        return new FeatureSessionsResponse(sessions.stream().filter(s -> s.closedAt() == null).toList(), sessions);
    }

    /** @param creditBalanceUsd the caller's prepaid credits, 1 credit = USD 1 */
    record CreditPackagesResponse(List<BillingPackage> packages, BigDecimal creditBalanceUsd,
            PaymentInstructions paymentInstructions) {}

    /** @param creditBalanceUsd the caller's prepaid credits, 1 credit = USD 1 */
    record FeaturesResponse(List<TargetingFeatures.Feature> features, BigDecimal creditBalanceUsd) {}

    /** @param open the open sessions (at most one), @param sessions every session, newest first */
    record FeatureSessionsResponse(List<FeatureSession> open, List<FeatureSession> sessions) {}
}
