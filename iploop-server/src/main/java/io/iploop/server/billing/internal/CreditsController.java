package io.iploop.server.billing.internal;

import io.iploop.server.billing.BillingPackage;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.CreditBalance;
import io.iploop.server.billing.FeatureSession;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.billing.PaymentInstructions;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Prepaid credits (docs/billing.md#credits-api): {@code GET /api/credits/packages},
 * {@code GET /api/credits/balance}, and the caller's time-based targeting sessions at
 * {@code GET /api/proxy/feature-sessions} (next to the sticky sessions of
 * {@code GET /api/proxy/sessions}). Buying is {@code POST /api/billing/credits/purchase}.
 */
@RestController
@Tag(name = "billing", description = "Paying in: packages, top-ups, invoices")
class CreditsController {

    private final BillingService billing;

    CreditsController(BillingService billing) {
        this.billing = billing;
    }

    @GetMapping("/api/credits/packages")
    @Operation(summary = "Credit packages on sale (1 credit = USD 1), the caller's balance and how to pay")
    CreditPackagesResponse packages(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new CreditPackagesResponse(
                billing.packages().stream().filter(p -> p.kind() == PackageKind.CREDITS).toList(),
                billing.creditBalance(caller.userId()), billing.paymentInstructions());
    }

    @GetMapping("/api/credits/balance")
    @Operation(summary = "The caller's prepaid credits (USD), open time-based targeting sessions with their cost so far,"
            + " and the hours the balance lasts at each rate")
    CreditBalance balance(@AuthenticationPrincipal AuthenticatedUser caller) {
        return billing.credits(caller.userId());
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

    /** @param open the open sessions (at most one), @param sessions every session, newest first */
    record FeatureSessionsResponse(List<FeatureSession> open, List<FeatureSession> sessions) {}
}
