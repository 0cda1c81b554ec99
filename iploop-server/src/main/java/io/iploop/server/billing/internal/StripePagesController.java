package io.iploop.server.billing.internal;

import io.iploop.server.platform.AuthenticatedUser;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The billing page's "Pay by card" button (docs/billing.md#stripe): creates the invoice and the
 * Stripe Checkout session and sends the browser to Stripe's page. Errors reach the error page with
 * the billing feature's message. Stateless; thread-safe.
 */
@Controller
class StripePagesController {

    private final StripeBilling stripe;

    StripePagesController(StripeBilling stripe) {
        this.stripe = stripe;
    }

    @PostMapping("/billing/pay-by-card")
    String payByCard(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String packageId) {
        return "redirect:" + stripe.checkout(me.userId(), packageId);
    }
}
