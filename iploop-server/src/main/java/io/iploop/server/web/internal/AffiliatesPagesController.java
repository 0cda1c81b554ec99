package io.iploop.server.web.internal;

import io.iploop.server.affiliates.AffiliatePayoutRequest;
import io.iploop.server.affiliates.AffiliatesService;
import io.iploop.server.cashouts.Cashout;
import io.iploop.server.cashouts.CashoutsException;
import io.iploop.server.affiliates.AffiliatesException;
import io.iploop.server.platform.ApiException;
import io.iploop.server.platform.AuthenticatedUser;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The affiliate page (docs/affiliates.md#page): the referral link and code, clicks, sign-ups, commission
 * pending, available, in payout and paid, the commissions, and a payout request form whose cash-out is
 * then confirmed on the cash-out page with the e-mailed code. Figures come from {@link AffiliatesService},
 * the same as {@code /api/affiliates/*}. Stateless; thread-safe.
 */
@Controller
final class AffiliatesPagesController {

    private final AffiliatesService affiliates;

    AffiliatesPagesController(AffiliatesService affiliates) {
        this.affiliates = affiliates;
    }

    @GetMapping("/affiliates")
    String page(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "1") int page, Model model) {
        model.addAttribute("overview", affiliates.overview(me.userId()));
        model.addAttribute("commissions", affiliates.commissions(me.userId(), Math.max(1, page), 20));
        if (!model.containsAttribute("form")) {
            model.addAttribute("form", Map.of());
        }
        return "affiliates";
    }

    @PostMapping("/affiliates/payouts")
    String payout(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String method,
            @RequestParam(defaultValue = "") String amount, @RequestParam Map<String, String> form,
            HttpServletResponse response, Model model) {
        try {
            BigDecimal value;
            try {
                value = new BigDecimal(amount.strip());
            } catch (NumberFormatException e) {
                throw new AffiliatesException(AffiliatesException.Reason.INVALID,
                        "amount: '" + amount + "' is not an amount of EUR such as 50 or 75.20", "amount");
            }
            Map<String, String> details = new LinkedHashMap<>();
            for (String k : new String[] {"email", "iban", "swift", "accountHolder", "address", "revtag"}) {
                String v = form.getOrDefault(k, "").strip();
                if (!v.isEmpty()) {
                    details.put(k, v);
                }
            }
            Cashout c = affiliates.requestPayout(me.userId(), new AffiliatePayoutRequest(method, value, details, null));
            return "redirect:/earn/cashout?confirm=" + c.id();
        } catch (AffiliatesException | CashoutsException e) {
            if (((ApiException) e).status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            response.setStatus(((ApiException) e).status().value());
            model.addAttribute("payoutError", e.getMessage());
            model.addAttribute("form", form);
            return page(me, 1, model);
        }
    }
}
