package io.iploop.server.web.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountsService;
import io.iploop.server.billing.AutoTopUpSettings;
import io.iploop.server.billing.BillingService;
import io.iploop.server.billing.CreditAlertSettings;
import io.iploop.server.billing.CreditNote;
import io.iploop.server.billing.Invoice;
import io.iploop.server.billing.InvoiceStatus;
import io.iploop.server.billing.PackageKind;
import io.iploop.server.billing.PlanChangeService;
import io.iploop.server.billing.PaymentMethod;
import io.iploop.server.billing.PaymentMethodsService;
import io.iploop.server.plans.PlansService;
import io.iploop.server.platform.ApiException;
import io.iploop.server.platform.AuthenticatedUser;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * packages with a top-up request, payment instructions, saved cards through {@link PaymentMethodsService},
 * invoices with their PDFs) and
 * {@code /admin/billing} for admins (invoices by status, mark paid with the transfer's reference,
 * void with a reason). Every action goes through {@link BillingService}, scoped by the signed-in
 * user; admin pages need a 2FA session like every {@code /admin/**} page. Errors are shown on the
 * page with the service's message; the forms for auto top-up, the low-balance alert and refunds show
 * each error next to its field and land back at the section that changed. Stateless; thread-safe.
 */
@Controller
final class BillingPagesController {

    /** Confirmations of {@code /billing?done=}; the key is also the id of the section it is shown in. */
    private static final Map<String, String> DONE = Map.of(
            "auto-top-up", "Auto top-up saved.",
            "low-balance", "Low-balance alert saved.",
            "change-plan", "Plan change saved.",
            "card-added", "Card saved.",
            "card-pending", "Stripe has not confirmed the card yet; it appears here once it has.",
            "card-default", "Default card changed.",
            "card-removed", "Card removed.");

    /** How the page names each field in its error messages (the API's field names are in the service's). */
    private static final Map<String, String> LABELS = Map.of(
            "thresholdUsd", "Threshold", "packageId", "Package", "maxPerMonth", "Top-ups per month",
            "lowBalanceUsd", "Alert threshold", "amountUsd", "Amount", "amountCents", "Amount", "reason", "Reason",
            "idempotencyKey", "Form key");

    /** Refusals of a refund said in words, before the service's details. */
    private static final Map<String, String> REFUSALS = Map.of(
            "refund_exceeds_unspent", "Refused: the customer has already spent part of what this refund would take back.",
            "refund_exceeds_paid", "Refused: that is more than what is left of the invoice to refund.",
            "invoice_not_paid", "Refused: only a paid invoice can be refunded.",
            "idempotency_key_conflict", "Refused: this form was already sent with another amount; reload the page.");

    private final BillingService billing;
    private final PlansService plans;
    private final AccountsService accounts;
    private final PlanChangeService planChanges;
    private final PaymentMethodsService paymentMethods;

    BillingPagesController(BillingService billing, PlansService plans, AccountsService accounts,
            PlanChangeService planChanges, PaymentMethodsService paymentMethods) {
        this.billing = billing;
        this.plans = plans;
        this.accounts = accounts;
        this.planChanges = planChanges;
        this.paymentMethods = paymentMethods;
    }

    @GetMapping("/billing")
    String page(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable UUID requested,
            @RequestParam(required = false) @Nullable String done, Model model) {
        if (done != null && DONE.containsKey(done)) {
            model.addAttribute("done", DONE.get(done));
            model.addAttribute("doneSection", done);
        }
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

    /**
     * Saves the auto top-up (docs/billing.md#auto-top-up) through {@link BillingService#updateAutoTopUp}, the
     * method behind {@code PUT /api/billing/auto-top-up}. A value that is not a number, or one the service
     * refuses, is shown next to its field (400); success lands back at {@code #auto-top-up}.
     */
    @PostMapping("/billing/auto-top-up")
    String autoTopUp(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String enabled,
            @RequestParam(defaultValue = "") String thresholdUsd, @RequestParam(defaultValue = "") String packageId,
            @RequestParam(defaultValue = "") String maxPerMonth, HttpServletResponse response, Model model) {
        Map<String, String> errors = new LinkedHashMap<>();
        BigDecimal threshold = usd(thresholdUsd, "thresholdUsd", errors);
        Integer max = null;
        if (maxPerMonth.isBlank()) {
            max = 1;
        } else {
            try {
                max = Integer.valueOf(maxPerMonth.strip());
            } catch (NumberFormatException e) {
                errors.put("maxPerMonth", LABELS.get("maxPerMonth") + ": '" + abbreviate(maxPerMonth.strip())
                        + "' is not a whole number (expected: 1-31)");
            }
        }
        if (errors.isEmpty() && max != null) {
            try {
                billing.updateAutoTopUp(me.userId(), new AutoTopUpSettings(enabled != null, threshold, packageId, max));
                return "redirect:/billing?done=auto-top-up#auto-top-up";
            } catch (ApiException e) {
                errors.put(fieldOf(e, "thresholdUsd"), fieldMessage(e, "thresholdUsd"));
            }
        }
        model.addAttribute("autoTopUpErrors", errors);
        model.addAttribute("autoTopUpForm", Map.of("enabled", enabled != null, "thresholdUsd", thresholdUsd,
                "packageId", packageId, "maxPerMonth", maxPerMonth));
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        return render(me, model);
    }

    /**
     * Saves the low-balance alert (docs/billing.md#low-balance-alerts) through
     * {@link BillingService#updateCreditAlerts}, the method behind {@code PUT /api/billing/alerts/credits};
     * an empty threshold means no alert. Errors are shown next to the field (400).
     */
    @PostMapping("/billing/low-balance-alert")
    String lowBalanceAlert(@AuthenticationPrincipal AuthenticatedUser me,
            @RequestParam(defaultValue = "") String lowBalanceUsd, HttpServletResponse response, Model model) {
        Map<String, String> errors = new LinkedHashMap<>();
        BigDecimal low = usd(lowBalanceUsd, "lowBalanceUsd", errors);
        if (errors.isEmpty()) {
            try {
                billing.updateCreditAlerts(me.userId(), new CreditAlertSettings(low));
                return "redirect:/billing?done=low-balance#low-balance";
            } catch (ApiException e) {
                errors.put("lowBalanceUsd", fieldMessage(e, "lowBalanceUsd"));
            }
        }
        model.addAttribute("alertErrors", errors);
        model.addAttribute("alertForm", Map.of("lowBalanceUsd", lowBalanceUsd));
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        return render(me, model);
    }

    /**
     * Changes the plan (docs/billing.md#plan-changes) through {@link PlanChangeService#change}, the method
     * behind {@code POST /api/billing/subscription/change}: an upgrade now with its invoice, a downgrade at
     * the period end. A refusal is shown in the "Change plan" card (its status); success lands back there.
     */
    @PostMapping("/billing/plan")
    String changePlan(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String planId,
            HttpServletResponse response, Model model) {
        try {
            var change = planChanges.change(me.userId(), planId, null);
            return "redirect:/billing?done=change-plan" + (change.invoice() == null ? ""
                    : "&requested=" + change.invoice().id()) + "#change-plan";
        } catch (ApiException e) {
            return planRefused(me, e, response, model);
        }
    }

    /** Cancels the plan at the period end, or withdraws the scheduled change ({@code action} {@code withdraw}). */
    @PostMapping("/billing/plan/{action}")
    String planAction(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable String action,
            HttpServletResponse response, Model model) {
        try {
            if ("cancel".equals(action)) {
                planChanges.cancel(me.userId());
            } else if ("withdraw".equals(action)) {
                planChanges.withdraw(me.userId());
            } else {
                response.setStatus(HttpServletResponse.SC_NOT_FOUND);
                return render(me, model);
            }
            return "redirect:/billing?done=change-plan#change-plan";
        } catch (ApiException e) {
            return planRefused(me, e, response, model);
        }
    }

    private String planRefused(AuthenticatedUser me, ApiException e, HttpServletResponse response, Model model) {
        model.addAttribute("planError", capitalize(e.getMessage()));
        response.setStatus(e.status().value());
        return render(me, model);
    }

    /**
     * Makes a saved card the default or removes it (docs/billing.md#payment-methods) through
     * {@link PaymentMethodsService}, as {@code PUT /api/billing/payment-methods/{id}/default} and
     * {@code DELETE /api/billing/payment-methods/{id}} do; a refusal (the card an auto top-up or card
     * subscription is charged to) is shown in the section with its reason.
     */
    @PostMapping("/billing/payment-methods/{id}/{action}")
    String paymentMethod(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable String id,
            @PathVariable String action, HttpServletResponse response, Model model) {
        try {
            switch (action) {
                case "default" -> paymentMethods.makeDefault(me.userId(), id);
                case "remove" -> paymentMethods.remove(me.userId(), id);
                default -> throw new org.springframework.web.server.ResponseStatusException(
                        org.springframework.http.HttpStatus.NOT_FOUND);
            }
            return "redirect:/billing?done=card-" + (action.equals("remove") ? "removed" : "default") + "#payment-methods";
        } catch (ApiException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            model.addAttribute("paymentMethodsError", capitalize(e.getMessage()) + ".");
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

    /** A credit note's PDF for the admin billing page (any customer's; /admin/** needs an admin with 2FA). */
    @GetMapping("/admin/billing/credit-notes/{id}/pdf")
    ResponseEntity<byte[]> adminCreditNotePdf(@PathVariable UUID id) {
        BillingService.CreditNotePdf note = billing.adminCreditNotePdf(id);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(note.creditNote().number() + ".pdf").build().toString())
                .body(note.pdf());
    }

    private String render(AuthenticatedUser me, Model model) {
        model.addAttribute("creditBalance", billing.creditBalance(me.userId()));
        model.addAttribute("credits", billing.credits(me.userId()));
        AutoTopUpSettings autoTopUp = billing.autoTopUp(me.userId());
        model.addAttribute("autoTopUp", autoTopUp);
        model.addAttribute("creditPackages", billing.packages().stream().filter(p -> p.kind() == PackageKind.CREDITS)
                .toList());
        if (!model.containsAttribute("autoTopUpForm")) {
            Map<String, Object> form = new HashMap<>();
            form.put("enabled", autoTopUp.enabled());
            form.put("thresholdUsd", autoTopUp.thresholdUsd() == null ? "" : autoTopUp.thresholdUsd().toPlainString());
            form.put("packageId", autoTopUp.packageId() == null ? "" : autoTopUp.packageId());
            form.put("maxPerMonth", Integer.toString(autoTopUp.maxPerMonth()));
            model.addAttribute("autoTopUpForm", form);
        }
        if (!model.containsAttribute("alertForm")) {
            BigDecimal low = billing.creditAlerts(me.userId()).lowBalanceUsd();
            model.addAttribute("alertForm", Map.of("lowBalanceUsd", low == null ? "" : low.toPlainString()));
        }
        for (String errors : List.of("autoTopUpErrors", "alertErrors")) {
            if (!model.containsAttribute(errors)) {
                model.addAttribute(errors, Map.of());
            }
        }
        var subscription = plans.current(me.userId()).orElse(null);
        model.addAttribute("subscription", subscription);
        model.addAttribute("planChoices", plans.catalogue().stream().filter(p -> p.priceMonthly() != null)
                .filter(p -> subscription == null || !p.id().equals(subscription.planId())).toList());
        model.addAttribute("pendingPlan", subscription == null || subscription.pendingPlanId() == null ? null
                : plans.find(subscription.pendingPlanId()).orElse(null));
        model.addAttribute("packages", billing.packages());
        model.addAttribute("instructions", billing.paymentInstructions());
        model.addAttribute("cardPayments", billing.cardPayments());
        paymentMethods(me, model);
        model.addAttribute("invoices", billing.invoices(me.userId(), 50));
        return "billing";
    }

    /**
     * The saved cards for the page; Stripe not answering leaves the rest of the page working and says so
     * in the section.
     */
    private void paymentMethods(AuthenticatedUser me, Model model) {
        model.addAttribute("paymentMethodsAvailable", paymentMethods.available());
        List<PaymentMethod> saved = List.of();
        if (paymentMethods.available()) {
            try {
                saved = paymentMethods.list(me.userId());
            } catch (ApiException e) {
                if (!model.containsAttribute("paymentMethodsError")) {
                    model.addAttribute("paymentMethodsError", "Your saved cards could not be loaded: " + e.getMessage() + ".");
                }
            }
        }
        model.addAttribute("paymentMethods", saved);
    }

    @GetMapping("/admin/billing")
    String admin(@RequestParam(defaultValue = "open") String status,
            @RequestParam(required = false) @Nullable String done, @RequestParam(defaultValue = "") String number,
            @RequestParam(required = false) @Nullable UUID invoice, Model model) {
        if (number.matches("INV-\\d{4}-\\d{6}") && ("paid".equals(done) || "void".equals(done))) {
            model.addAttribute("done", "Invoice " + number + (done.equals("paid") ? " marked paid." : " voided."));
        }
        if (number.matches("CN-\\d{4}-\\d{6}") && "refund".equals(done) && invoice != null) {
            model.addAttribute("refundDone", "Refunded: credit note " + number + " issued.");
            model.addAttribute("refundInvoice", invoice);
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

    /**
     * Refunds part or all of a paid invoice (docs/billing.md#refunds-and-chargebacks) through
     * {@link BillingService#refund}, as {@code POST /api/admin/billing/invoices/{id}/refund} does. The amount
     * is entered in USD; the form carries an idempotency key made when the page was shown, so a form sent
     * twice refunds once. Success lands back at the invoice with the credit note's number; a refusal (400
     * or 409) is said in words next to the field it is about.
     */
    @PostMapping("/admin/billing/invoices/{id}/refund")
    String refund(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @RequestParam(defaultValue = "") String amountUsd, @RequestParam(defaultValue = "") String reason,
            @RequestParam(defaultValue = "") String idempotencyKey, HttpServletResponse response, Model model) {
        Map<String, String> errors = new LinkedHashMap<>();
        BigDecimal amount = usd(amountUsd, "amountUsd", errors);
        if (errors.isEmpty() && (amount == null || amount.signum() <= 0 || amount.stripTrailingZeros().scale() > 2)) {
            // The service counts in cents; in USD an amount must be whole cents to convert.
            errors.put("amountUsd", LABELS.get("amountUsd") + ": " + (amount == null ? "missing" : amount.toPlainString())
                    + " (expected: USD 0.01 or more, whole cents)");
        }
        if (errors.isEmpty() && amount != null) {
            try {
                CreditNote note = billing.refund(me.userId(), id, amount.movePointRight(2).setScale(0).longValueExact(), reason,
                        idempotencyKey.isBlank() ? null : idempotencyKey);
                return "redirect:/admin/billing?status=paid&done=refund&number=" + note.number() + "&invoice=" + id
                        + "#invoice-" + id;
            } catch (ApiException e) {
                if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                    throw e;
                }
                response.setStatus(e.status().value());
                String field = "reason".equals(e.field()) ? "reason" : "amountUsd";
                errors.put(field, REFUSALS.containsKey(e.code()) ? REFUSALS.get(e.code()) + " " + capitalize(e.getMessage())
                        : fieldMessage(e, field));
            }
        } else {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        }
        model.addAttribute("refundInvoice", id);
        model.addAttribute("refundErrors", errors);
        model.addAttribute("refundForm", Map.of("amountUsd", amountUsd, "reason", reason));
        return renderAdmin("paid", model);
    }

    private String renderAdmin(String status, Model model) {
        if (!model.containsAttribute("refundErrors")) {
            model.addAttribute("refundErrors", Map.of());
            model.addAttribute("refundForm", Map.of());
        }
        // One key per page view: sending the same form twice (a double click, a reload) refunds once.
        model.addAttribute("refundKey", "page:" + UUID.randomUUID());
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
        // Each paid (or since failed) invoice's credit notes: refunds and chargebacks with their PDFs.
        Map<UUID, List<CreditNote>> creditNotes = new HashMap<>();
        for (Invoice i : invoices) {
            if (i.status() == InvoiceStatus.PAID || i.status() == InvoiceStatus.FAILED) {
                List<CreditNote> notes = billing.invoiceCreditNotes(i.id());
                if (!notes.isEmpty()) {
                    creditNotes.put(i.id(), notes);
                }
            }
        }
        model.addAttribute("creditNotes", creditNotes);
        model.addAttribute("status", s == null ? "all" : s.value());
        model.addAttribute("statuses", Arrays.stream(InvoiceStatus.values()).map(InvoiceStatus::value).toList());
        return "admin/billing";
    }

    /**
     * Parses a USD amount typed into a form; blank is null. Not a number: an error for {@code field},
     * named by its label. Range and decimals are the service's rules and are checked there.
     */
    private static @Nullable BigDecimal usd(String text, String field, Map<String, String> errors) {
        String t = text.strip();
        if (t.isEmpty()) {
            return null;
        }
        try {
            return new BigDecimal(t);
        } catch (NumberFormatException e) {
            errors.put(field, LABELS.get(field) + ": '" + abbreviate(t) + "' is not an amount in USD (e.g. 10 or 12.50)");
            return null;
        }
    }

    private static String fieldOf(ApiException e, String fallback) {
        return e.field() != null && LABELS.containsKey(e.field()) ? e.field() : fallback;
    }

    /** The service's "field: detail" message with the field's label, so the page names what is wrong in words. */
    private static String fieldMessage(ApiException e, String fallback) {
        String field = fieldOf(e, fallback);
        String message = e.getMessage() == null ? "" : e.getMessage();
        String prefix = e.field() + ": ";
        if (e.field() != null && message.startsWith(prefix)) {
            message = message.substring(prefix.length());
        }
        return LABELS.get(field) + ": " + message;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static String capitalize(@Nullable String s) {
        return s == null || s.isEmpty() ? "Something went wrong" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
