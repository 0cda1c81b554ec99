package io.iploop.server.web.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.InvoiceStatus;
import io.iploop.server.plans.PlansService;
import io.iploop.server.platform.ApiException;
import io.iploop.server.platform.AuthenticatedUser;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The billing pages (docs/billing.md): {@code /billing} for customers (credit balance, plan balance,
 * packages with a top-up request, payment instructions, invoices with their PDFs) and
 * {@code /admin/billing} for admins (invoices by status, mark paid with the transfer's reference,
 * void with a reason). Every action goes through {@link BillingService}, scoped by the signed-in
 * user; admin pages need a 2FA session like every {@code /admin/**} page. Errors are shown on the
 * page with the service's message. Stateless; thread-safe.
 */
@Controller
final class BillingPagesController {

    private final BillingService billing;
    private final PlansService plans;
    private final AccountsService accounts;

    BillingPagesController(BillingService billing, PlansService plans, AccountsService accounts) {
        this.billing = billing;
        this.plans = plans;
        this.accounts = accounts;
    }

    @GetMapping("/billing")
    String page(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable UUID requested,
            Model model) {
        if (requested != null) {
            model.addAttribute("requested", billing.invoice(me.userId(), requested));
        }
        return render(me, model);
    }

    @PostMapping("/billing/top-up")
    String topUp(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String packageId,
            HttpServletResponse response, Model model) {
        try {
            Invoice invoice = billing.requestTopUp(me.userId(), packageId);
            return "redirect:/billing?requested=" + invoice.id();
        } catch (ApiException e) {
            model.addAttribute("error", capitalize(e.getMessage()));
            response.setStatus(e.status().value());
            return render(me, model);
        }
    }

    @GetMapping("/billing/invoices/{id}/pdf")
    ResponseEntity<byte[]> pdf(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        Invoice invoice = billing.invoice(me.userId(), id);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(invoice.number() + ".pdf").build().toString())
                .body(billing.pdf(me.userId(), id));
    }

    private String render(AuthenticatedUser me, Model model) {
        model.addAttribute("creditBalance", billing.creditBalance(me.userId()));
        model.addAttribute("credits", billing.credits(me.userId()));
        model.addAttribute("autoTopUp", billing.autoTopUp(me.userId()));
        model.addAttribute("subscription", plans.current(me.userId()).orElse(null));
        model.addAttribute("packages", billing.packages());
        model.addAttribute("instructions", billing.paymentInstructions());
        model.addAttribute("cardPayments", billing.cardPayments());
        model.addAttribute("invoices", billing.invoices(me.userId(), 50));
        return "billing";
    }

    @GetMapping("/admin/billing")
    String admin(@RequestParam(defaultValue = "open") String status,
            @RequestParam(required = false) @Nullable String done, @RequestParam(defaultValue = "") String number,
            Model model) {
        if (number.matches("INV-\\d{4}-\\d{6}") && ("paid".equals(done) || "void".equals(done))) {
            model.addAttribute("done", "Invoice " + number + (done.equals("paid") ? " marked paid." : " voided."));
        }
        return renderAdmin(status, model);
    }

    @PostMapping("/admin/billing/invoices/{id}/{action}")
    String adminAction(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @PathVariable String action, @RequestParam(defaultValue = "") String reference,
            @RequestParam(defaultValue = "") String reason, HttpServletResponse response, Model model) {
        try {
            Invoice invoice = switch (action) {
                case "paid" -> billing.markPaid(me.userId(), id, reference);
                case "void" -> billing.voidInvoice(me.userId(), id, reason);
                default -> throw new org.springframework.web.server.ResponseStatusException(
                        org.springframework.http.HttpStatus.NOT_FOUND);
            };
            return "redirect:/admin/billing?status=open&done=" + action + "&number=" + invoice.number();
        } catch (ApiException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            model.addAttribute("error", capitalize(e.getMessage()));
            response.setStatus(e.status().value());
            return renderAdmin("open", model);
        }
    }

    private String renderAdmin(String status, Model model) {
        InvoiceStatus s;
        try {
            s = status.equals("all") ? null : InvoiceStatus.of(status);
        } catch (IllegalArgumentException e) {
            s = InvoiceStatus.OPEN;
        }
        List<Invoice> invoices = billing.adminInvoices(s, 500);
        Map<UUID, String> owners = new HashMap<>();
        for (Invoice i : invoices) {
            owners.computeIfAbsent(i.userId(), u -> accounts.find(u).map(Account::email).orElse(u.toString()));
        }
        model.addAttribute("invoices", invoices);
        model.addAttribute("owners", owners);
        model.addAttribute("status", s == null ? "all" : s.value());
        model.addAttribute("statuses", Arrays.stream(InvoiceStatus.values()).map(InvoiceStatus::value).toList());
        return "admin/billing";
    }

    private static String capitalize(@Nullable String s) {
        return s == null || s.isEmpty() ? "Something went wrong" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
