package io.iploop.server.billing.internal;

import io.iploop.server.platform.AuthenticatedUser;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.util.HtmlUtils;

/**
 * The billing page's "Add card" (docs/billing.md#payment-methods): Stripe's hosted Checkout page in
 * {@code setup} mode collects the card and confirms its SetupIntent, so no Stripe script runs on our
 * pages; the way back makes the new card the default when there is none. Stateless; thread-safe.
 */
@Controller
class PaymentMethodsPagesController {

    private final PaymentMethods methods;

    PaymentMethodsPagesController(PaymentMethods methods) {
        this.methods = methods;
    }

    /** A page that moves on to Stripe (a redirect to another origin breaks {@code form-action 'self'}). */
    @PostMapping("/billing/payment-methods/add")
    ResponseEntity<String> add(@AuthenticationPrincipal AuthenticatedUser me) {
        String url = HtmlUtils.htmlEscape(methods.setupCheckout(me.userId()));
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=%s">
                <title>Continue to Stripe to add a card</title></head>
                <body><main><p><a href="%s">Continue to Stripe to add a card</a></p></main></body></html>
                """.formatted(url, url));
    }

    /** Stripe's way back (success URL) with the Checkout session's id. */
    @GetMapping("/billing/payment-methods/added")
    String added(@AuthenticationPrincipal AuthenticatedUser me,
            @RequestParam(name = "session_id", defaultValue = "") String sessionId) {
        boolean saved = methods.finishSetupCheckout(me.userId(), sessionId);
        return "redirect:/billing?done=" + (saved ? "card-added" : "card-pending") + "#payment-methods";
    }
}
