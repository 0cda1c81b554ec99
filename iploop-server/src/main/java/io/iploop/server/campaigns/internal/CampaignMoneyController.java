package io.iploop.server.campaigns.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.iploop.server.campaigns.CampaignPricing;
import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.Quote;
import io.iploop.server.platform.AuthenticatedUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.math.BigDecimal;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The campaign price quote ({@code GET /api/billing/quote}, docs/campaigns.md#pricing) and the
 * caller's EUR wallet ({@code GET /api/campaigns/wallet}, docs/campaigns.md#wallet).
 */
@RestController
@Tag(name = "campaigns")
class CampaignMoneyController {

    private final CampaignWalletService wallet;

    CampaignMoneyController(CampaignWalletService wallet) {
        this.wallet = wallet;
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
