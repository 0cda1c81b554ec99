package io.iploop.server.affiliates.internal;

import io.iploop.server.affiliates.AffiliateOverview;
import io.iploop.server.affiliates.AffiliatePayoutRequest;
import io.iploop.server.affiliates.AffiliatesService;
import io.iploop.server.affiliates.CommissionPage;
import io.iploop.server.cashouts.Cashout;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The caller's affiliate figures, commissions and payout requests (docs/affiliates.md#api). */
@RestController
@RequestMapping("/api/affiliates")
@Tag(name = "affiliates")
class AffiliatesController {

    private final AffiliatesService affiliates;

    AffiliatesController(AffiliatesService affiliates) {
        this.affiliates = affiliates;
    }

    @GetMapping("/me")
    @Operation(summary = "The caller's referral code and link, clicks, sign-ups and commission totals in EUR")
    AffiliateOverview me(@AuthenticationPrincipal AuthenticatedUser caller) {
        return affiliates.overview(caller.userId());
    }

    @GetMapping("/commissions")
    @Operation(summary = "The caller's commissions, newest first (page 1-based, limit 1-100)")
    CommissionPage commissions(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestParam(defaultValue = "1") int page, @RequestParam(defaultValue = "20") int limit) {
        return affiliates.commissions(caller.userId(), page, limit);
    }

    @PostMapping("/payouts")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Request a payout of available commission (EUR) as a cash-out; a confirmation code is e-mailed",
            description = "Body: method, amount (EUR, at least the minimum payout), and paymentDetails or "
                    + "savedPaymentMethodId. Confirm with POST /api/earn/cashout/{id}/confirm like any cash-out.")
    Cashout payout(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody AffiliatePayoutRequest body) {
        return affiliates.requestPayout(caller.userId(), body);
    }
}
