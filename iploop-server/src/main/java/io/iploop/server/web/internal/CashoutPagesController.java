package io.iploop.server.web.internal;

import io.iploop.server.cashouts.Cashout;
import io.iploop.server.cashouts.CashoutMethod;
import io.iploop.server.cashouts.CashoutStatus;
import io.iploop.server.cashouts.CashoutsException;
import io.iploop.server.cashouts.CashoutsService;
import io.iploop.server.cashouts.MethodConfig;
import io.iploop.server.cashouts.NewCashout;
import io.iploop.server.cashouts.NewPaymentMethod;
import io.iploop.server.cashouts.SavedPaymentMethod;
import io.iploop.server.earn.EarnService;
import io.iploop.server.platform.AuthenticatedUser;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The cash-out page (docs/product/cashouts.md, docs/product/earn.md#earn-dashboard): balance, the flow method → amount → details (or a
 * saved method) → e-mailed code → status, history with cancel while it may still be cancelled,
 * saved payment methods (add with an e-mailed verification code, remove) and auto-cash-out; and
 * the earn settings page (auto-cash-out, bandwidth per device, link to the account settings).
 * Every action goes through {@link CashoutsService} scoped by the signed-in user (another user's
 * cash-out or method is a 404); its validation errors name the field and are shown beside it.
 * Actions redirect with a {@code done} message, except the steps that need the just-created
 * object's code form, which render directly. Stateless; thread-safe.
 */
@Controller
final class CashoutPagesController {

    private static final Map<String, String> DONE = Map.of(
            "confirmed", "Cash-out confirmed. Its credits are reserved; you get an e-mail when it is paid.",
            "cancelled", "Cash-out cancelled. Any reserved credits are back in your balance.",
            "method-verified", "Payment method verified. It can be used for cash-outs and auto-cash-out.",
            "method-removed", "Payment method removed.",
            "auto", "Auto-cash-out settings saved.");

    /** Payment detail fields per method (see {@link NewCashout#paymentDetails()}). */
    private static final Map<CashoutMethod, List<String>> DETAIL_FIELDS = Map.of(
            CashoutMethod.PAYPAL, List.of("email"),
            CashoutMethod.AMAZON_GIFT_CARD, List.of("email"),
            CashoutMethod.USDT, List.of("address"),
            CashoutMethod.BITCOIN, List.of("address"),
            CashoutMethod.BANK_TRANSFER, List.of("iban", "swift", "accountHolder"),
            CashoutMethod.REVOLUT, List.of("revtag"));

    private final CashoutsService cashouts;
    private final EarnService earn;

    CashoutPagesController(CashoutsService cashouts, EarnService earn) {
        this.cashouts = cashouts;
        this.earn = earn;
    }

    @GetMapping("/earn/cashout")
    String page(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String done,
            @RequestParam(required = false) @Nullable UUID confirm, @RequestParam(defaultValue = "1") int page, Model model) {
        model.addAttribute("done", done == null ? null : DONE.get(done));
        if (confirm != null) {
            Cashout c = cashouts.get(me.userId(), confirm);
            if (c.status() == CashoutStatus.AWAITING_CONFIRMATION) {
                model.addAttribute("awaiting", c);
            }
        }
        return render(me, Math.max(1, page), model);
    }

    @PostMapping("/earn/cashout")
    String request(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String method,
            @RequestParam(defaultValue = "") String amountUsd, @RequestParam(required = false) @Nullable UUID savedPaymentMethodId,
            @RequestParam Map<String, String> form, HttpServletResponse response, Model model) {
        model.addAttribute("form", form);
        // Goes into an Alpine expression: only a method-shaped value, never arbitrary text.
        model.addAttribute("formMethod", method.matches("[a-z_]{1,30}") ? method : "");
        try {
            BigDecimal amount = parseDecimal(amountUsd, "amountUsd");
            Map<String, String> details = savedPaymentMethodId == null ? details(method, form) : null;
            Cashout created = cashouts.request(me.userId(), new NewCashout(method, amount, null, details, savedPaymentMethodId));
            model.addAttribute("awaiting", created);
            model.addAttribute("form", Map.of());
        } catch (CashoutsException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            model.addAttribute("requestError", e.getMessage());
            model.addAttribute("requestField", e.field());
            model.addAttribute("openFlow", true);
            response.setStatus(e.status().value());
        }
        return render(me, 1, model);
    }

    @PostMapping("/earn/cashout/{id}/confirm")
    String confirm(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, @RequestParam(defaultValue = "") String code,
            HttpServletResponse response, Model model) {
        try {
            cashouts.confirm(me.userId(), id, code.strip());
            return "redirect:/earn/cashout?done=confirmed";
        } catch (CashoutsException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            Cashout c = cashouts.get(me.userId(), id);
            if (c.status() == CashoutStatus.AWAITING_CONFIRMATION) {
                model.addAttribute("awaiting", c);
            }
            model.addAttribute("confirmError", e.getMessage());
            response.setStatus(e.status().value());
            return render(me, 1, model);
        }
    }

    @PostMapping("/earn/cashout/{id}/cancel")
    String cancel(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        cashouts.cancel(me.userId(), id);
        return "redirect:/earn/cashout?done=cancelled";
    }

    @PostMapping("/earn/payment-methods")
    String addMethod(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String method,
            @RequestParam(defaultValue = "") String label, @RequestParam(defaultValue = "false") boolean isDefault,
            @RequestParam Map<String, String> form, HttpServletResponse response, Model model) {
        try {
            SavedPaymentMethod saved = cashouts.addPaymentMethod(me.userId(),
                    new NewPaymentMethod(method, label.isBlank() ? null : label.strip(), details(method, form), isDefault));
            model.addAttribute("verifying", saved);
        } catch (CashoutsException e) {
            model.addAttribute("methodError", e.getMessage());
            model.addAttribute("methodForm", form);
            response.setStatus(e.status().value());
        }
        return render(me, 1, model);
    }

    @PostMapping("/earn/payment-methods/{id}/verify")
    String verifyMethod(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, @RequestParam(defaultValue = "") String code,
            HttpServletResponse response, Model model) {
        try {
            cashouts.verifyPaymentMethod(me.userId(), id, code.strip());
            return "redirect:/earn/cashout?done=method-verified";
        } catch (CashoutsException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            model.addAttribute("verifying", cashouts.paymentMethods(me.userId()).stream()
                    .filter(m -> m.id().equals(id)).findFirst().orElse(null));
            model.addAttribute("verifyError", e.getMessage());
            response.setStatus(e.status().value());
            return render(me, 1, model);
        }
    }

    @PostMapping("/earn/payment-methods/{id}/delete")
    String deleteMethod(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        cashouts.deletePaymentMethod(me.userId(), id);
        return "redirect:/earn/cashout?done=method-removed";
    }

    /** Saves auto-cash-out from the cash-out page or the earn settings page ({@code from=settings}). */
    @PostMapping("/earn/auto-cashout")
    String autoCashout(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "false") boolean enabled,
            @RequestParam(defaultValue = "") String thresholdUsd, @RequestParam(required = false) @Nullable UUID paymentMethodId,
            @RequestParam(defaultValue = "cashout") String from, HttpServletResponse response, Model model) {
        boolean settings = from.equals("settings");
        try {
            BigDecimal threshold = parseDecimal(thresholdUsd, "thresholdUsd");
            cashouts.configureAutoCashout(me.userId(), enabled, threshold, paymentMethodId);
            return "redirect:/earn/" + (settings ? "settings" : "cashout") + "?done=auto";
        } catch (CashoutsException e) {
            model.addAttribute("autoError", e.getMessage());
            response.setStatus(e.status().value());
            return settings ? renderSettings(me, model) : render(me, 1, model);
        }
    }

    @GetMapping("/earn/settings")
    String settings(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String done, Model model) {
        model.addAttribute("done", done == null ? null : DONE.get(done));
        return renderSettings(me, model);
    }

    private String renderSettings(AuthenticatedUser me, Model model) {
        model.addAttribute("auto", cashouts.autoCashout(me.userId()));
        model.addAttribute("methods", cashouts.paymentMethods(me.userId()));
        model.addAttribute("devices", earn.devices(me.userId()));
        model.addAttribute("limitCommand", "./iploop node config set bandwidth-limit-mbps 20\n./iploop node stop\n./iploop node start -d");
        return "earn/settings";
    }

    private String render(AuthenticatedUser me, int page, Model model) {
        model.addAttribute("balance", earn.balance(me.userId()));
        List<MethodConfig> methods = cashouts.methods();
        model.addAttribute("methodConfigs", methods);
        model.addAttribute("activeMethods", methods.stream().filter(MethodConfig::active).toList());
        model.addAttribute("history", cashouts.history(me.userId(), page, 20));
        model.addAttribute("methods", cashouts.paymentMethods(me.userId()));
        model.addAttribute("auto", cashouts.autoCashout(me.userId()));
        model.addAttribute("detailFields", DETAIL_FIELDS);
        if (!model.containsAttribute("form")) {
            model.addAttribute("form", Map.of());
        }
        if (!model.containsAttribute("formMethod")) {
            model.addAttribute("formMethod", "");
        }
        return "earn/cashout";
    }

    /** The detail fields of {@code method} from the form, blanks dropped; the service validates them and names the field. */
    private static Map<String, String> details(String method, Map<String, String> form) {
        Map<String, String> d = new LinkedHashMap<>();
        CashoutMethod m = CashoutMethod.parse(method).orElse(null);
        for (String f : m == null ? List.<String>of() : DETAIL_FIELDS.get(m)) {
            String v = form.getOrDefault(f, "").strip();
            if (!v.isEmpty()) {
                d.put(f, v);
            }
        }
        return d;
    }

    private static BigDecimal parseDecimal(String value, String field) {
        try {
            return new BigDecimal(value.strip().replace("$", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new CashoutsException(CashoutsException.Reason.VALIDATION, field + ": enter an amount in USD, e.g. 5.00", field);
        }
    }
}
