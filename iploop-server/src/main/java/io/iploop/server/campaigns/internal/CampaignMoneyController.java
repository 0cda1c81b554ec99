package io.iploop.server.campaigns.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.iploop.server.campaigns.CampaignPricing;
import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.Quote;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.PaymentInstructions;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
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
 * The campaign price quote ({@code GET /api/billing/quote}, docs/campaigns.md#pricing), the
 * caller's EUR wallet ({@code GET /api/campaigns/wallet}, docs/campaigns.md#wallet) and its invoices
 * ({@code /api/campaigns/wallet/top-ups}, docs/campaigns.md#wallet-invoices).
 */
@RestController
@Tag(name = "campaigns")
class CampaignMoneyController {

    private final CampaignWalletService wallet;
    private final WalletInvoices invoices;
    private final BillingService billing;

    CampaignMoneyController(CampaignWalletService wallet, WalletInvoices invoices, BillingService billing) {
        this.wallet = wallet;
        this.invoices = invoices;
        this.billing = billing;
    }

    @PostMapping("/api/campaigns/wallet/top-ups")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Request an invoice (bank transfer) that tops up the caller's EUR campaign wallet once an "
            + "admin marks it paid")
    TopUpInvoice requestTopUp(@AuthenticationPrincipal AuthenticatedUser caller,
            @RequestBody(required = false) @Nullable TopUpBody body) {
        return TopUpInvoice.of(invoices.request(caller.userId(), body == null ? null : body.amount()),
                billing.paymentInstructions());
    }

    @GetMapping("/api/campaigns/wallet/top-ups")
    @Operation(summary = "The caller's campaign wallet invoices, newest first")
    List<TopUpInvoice> topUps(@AuthenticationPrincipal AuthenticatedUser caller) {
        PaymentInstructions pay = billing.paymentInstructions();
        return invoices.list(caller.userId()).stream().map(i -> TopUpInvoice.of(i, pay)).toList();
    }

    /** @param amount EUR as text ("250.00"), 1 to 10,000,000, at most 2 decimals */
    record TopUpBody(@Nullable String amount) {}

    /**
     * A wallet invoice: {@code status} open, paid or void; {@code pdf} the invoice's PDF; the payment
     * instructions to transfer {@code amount} with {@code number} as the reference.
     */
    record TopUpInvoice(UUID id, String number, String status, String currency, BigDecimal amount,
            Instant createdAt, @Nullable Instant paidAt, String pdf, PaymentInstructions paymentInstructions) {

        static TopUpInvoice of(Invoice i, PaymentInstructions pay) {
            return new TopUpInvoice(i.id(), i.number(), i.status().value(), i.currency(), i.totalAmount(), i.createdAt(),
                    i.paidAt(), "/api/billing/invoices/" + i.id() + "/pdf", pay);
        }
    }

    @GetMapping("/api/billing/quote")
    @Operation(summary = "Visits an amount of EUR buys on the campaign CPM curve")
    QuoteResponse quote(@RequestParam(required = false) @Nullable String amount) {
        if (amount == null || amount.isBlank()) {
            throw new CampaignsException(CampaignsException.Reason.INVALID, "amount is required (EUR, e.g. amount=500)",
                    "amount");
        }
        BigDecimal value;
        try {
            value = new BigDecimal(amount.strip());
        } catch (NumberFormatException e) {
            throw new CampaignsException(CampaignsException.Reason.INVALID, "amount must be a number of EUR such as 500 or 129.50",
                    "amount");
        }
        Quote q = CampaignPricing.quote(value);
        return new QuoteResponse(q.amount(), "EUR", q.rate(), q.estimatedVisits());
    }

    @GetMapping("/api/campaigns/wallet")
    @Operation(summary = "The caller's campaign wallet balance in EUR")
    WalletResponse wallet(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new WalletResponse("EUR", wallet.balance(caller.userId()));
    }

    /** {@code rate}: EUR per 1,000 visits; {@code estimated_visits}: whole visits, rounded down. */
    record QuoteResponse(BigDecimal amount, String currency, BigDecimal rate,
            @JsonProperty("estimated_visits") long estimatedVisits) {}

    record WalletResponse(String currency, BigDecimal balance) {}
}
