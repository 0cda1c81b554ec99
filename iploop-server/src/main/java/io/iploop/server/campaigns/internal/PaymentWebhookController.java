package io.iploop.server.campaigns.internal;

import io.iploop.server.campaigns.WalletCredit;
import io.iploop.server.campaigns.internal.PaymentEventRepository.PaymentEventRow;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The payment-provider webhook ({@code POST /api/webhooks/payment_provider}, public, authenticated by
 * its HMAC signature) and the admin view of its events (list, assign an unmatched payment), the admin's manual wallet credit, see
 * docs/campaigns.md#funding.
 */
@RestController
@Tag(name = "campaigns")
class PaymentWebhookController {

    private final PaymentWebhook webhook;
    private final ManualWalletCredits manual;

    PaymentWebhookController(PaymentWebhook webhook, ManualWalletCredits manual) {
        this.webhook = webhook;
        this.manual = manual;
    }

    @PostMapping("/api/webhooks/payment_provider")
    @Operation(summary = "Payment-link provider's webhook: a signed payment.completed event funds the payer's EUR "
            + "campaign wallet once per event id; payment.refunded / payment.disputed take it back")
    Map<String, Object> receive(@RequestBody(required = false) byte @Nullable [] payload,
            @RequestHeader(name = PaymentSignature.HEADER, required = false) @Nullable String signature) {
        PaymentWebhook.Outcome o = webhook.receive(payload == null ? new byte[0] : payload, signature);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("received", true);
        answer.put("outcome", o.outcome());
        if (o.reason() != null) {
            answer.put("reason", o.reason());
        }
        return answer;
    }

    @GetMapping("/api/admin/campaigns/payments")
    @Operation(summary = "Payment-provider events, newest first (status credited, unmatched, rejected or reversed; "
            + "all without)")
    List<PaymentEventRow> list(@RequestParam(required = false) @Nullable String status) {
        return webhook.list(status == null || status.isBlank() ? null : status.strip());
    }

    @PostMapping("/api/admin/campaigns/payments/{eventId}/assign")
    @Operation(summary = "Credit an unmatched payment to an account's campaign wallet (once; audited)")
    PaymentEventRow assign(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable String eventId,
            @RequestBody(required = false) @Nullable AssignBody body) {
        return webhook.assign(admin.userId(), eventId, body == null ? null : body.userId());
    }

    @PostMapping("/api/admin/campaigns/wallets/{userId}/credit")
    @Operation(summary = "Credit a customer's campaign wallet for money received by hand (bank transfer); once per "
            + "reference; audited")
    WalletCredit credit(@AuthenticationPrincipal AuthenticatedUser admin, @PathVariable UUID userId,
            @RequestBody(required = false) @Nullable CreditBody body) {
        return manual.credit(admin.userId(), userId, body == null ? null : body.amount(),
                body == null ? null : body.reference());
    }

    /**
     * @param amount EUR as text ("250.00"), more than 0, at most 2 decimals
     * @param reference what the money was (bank transfer id), 1-100 characters; the idempotency key
     */
    record CreditBody(@Nullable String amount, @Nullable String reference) {}

    /** @param userId the account whose wallet gets the payment */
    record AssignBody(@Nullable UUID userId) {}
}
