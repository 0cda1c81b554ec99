package io.iploop.server.billing.internal;

import io.iploop.server.platform.AuthenticatedUser;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.HtmlUtils;

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

    /**
     * Answers a page that moves on to Checkout rather than a redirect: the pages' Content-Security-Policy
     * ({@code form-action 'self'}) makes browsers refuse a form post redirected to another origin.
     */
    @PostMapping("/billing/pay-by-card")
    ResponseEntity<String> payByCard(@AuthenticationPrincipal AuthenticatedUser me,
            @RequestParam(defaultValue = "") String packageId) {
        String url = HtmlUtils.htmlEscape(stripe.checkout(me.userId(), packageId));
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=%s">
                <title>Continue to Stripe Checkout</title></head>
                <body><main><p><a href="%s">Continue to Stripe Checkout</a></p></main></body></html>
                """.formatted(url, url));
    }
}
