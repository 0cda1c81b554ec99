package io.iploop.server.web.internal;

import io.iploop.server.accounts.Account;
import io.iploop.server.accounts.AccountAdminService;
import io.iploop.server.accounts.AccountPage;
import io.iploop.server.accounts.AccountSearch;
import io.iploop.server.accounts.UserRole;
import io.iploop.server.accounts.UserStatus;
import io.iploop.server.admin.AdminStatsService;
import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditPage;
import io.iploop.server.audit.AuditService;
import io.iploop.server.cashouts.Cashout;
import io.iploop.server.cashouts.CashoutStatus;
import io.iploop.server.cashouts.CashoutsService;
import io.iploop.server.abuse.AbuseException;
import io.iploop.server.abuse.AbuseReport;
import io.iploop.server.abuse.AbuseService;
import io.iploop.server.nodes.NewNodeModeration;
import io.iploop.server.nodes.NodeModerationService;
import io.iploop.server.nodes.NodesException;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.plans.PlanDetails;
import io.iploop.server.plans.PlanSpec;
import io.iploop.server.plans.PlansService;
import io.iploop.server.plans.SignupPlan;
import io.iploop.server.plans.Subscription;
import io.iploop.server.platform.ApiException;
import io.iploop.server.platform.AuthenticatedUser;
import jakarta.servlet.http.HttpServletResponse;
import io.iploop.server.usage.TargetTraffic;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The admin pages (docs/product/admin.md): supply overview ({@code /admin}: accounts, traffic and node
 * statistics by country, device type and connection type), users with search, filters,
 * pagination and actions, the plans editor, the cash-out review queue and the audit log viewer.
 * The page security chain lets only admins whose session was opened with 2FA in (like
 * {@code /api/admin/**}). Every action goes through the owning feature's service with the signed-in
 * admin as actor, so each is audited there; a refused action (e.g. suspending oneself) renders the
 * page again with the service's message. Stateless; thread-safe.
 */
@Controller
final class AdminPagesController {

    /** Users per page. */
    static final int PAGE_SIZE = 25;
    /** Audit entries per page. */
    static final int AUDIT_PAGE_SIZE = 50;

    private static final Map<String, String> DONE = Map.ofEntries(
            Map.entry("status", "Status changed. A suspended, banned or deleted account's keys are refused within 5 seconds."),
            Map.entry("plan", "Plan changed."),
            Map.entry("balance", "GB balance set."),
            Map.entry("role", "Role changed."),
            Map.entry("deleted", "Account deleted."),
            Map.entry("2fa", "Two-factor authentication reset. The user signs in with the password only until they set it up again."),
            Map.entry("email-verified", "E-mail marked as verified. The account's keys work on the proxy within 5 seconds."),
            Map.entry("plan-created", "Plan created."),
            Map.entry("plan-saved", "Plan saved. The gateway applies new limits within 2 seconds."),
            Map.entry("plan-deactivated", "Plan deactivated: it is no longer offered; current subscribers keep it."),
            Map.entry("signup-plan", "Sign-up plan saved. Accounts registered from now on start on it; existing ones keep their plan."),
            Map.entry("approved", "Cash-out approved."),
            Map.entry("rejected", "Cash-out rejected; its credits are back in the user's balance."),
            Map.entry("paid", "Cash-out marked paid with its reference; the user is told by e-mail."));

    private final AccountAdminService accountAdmin;
    private final PlansService plans;
    private final NodesService nodes;
    private final AdminStatsService stats;
    private final CashoutsService cashouts;
    private final AuditService audit;
    private final NodeModerationService moderation;
    private final AbuseService abuse;

    AdminPagesController(AccountAdminService accountAdmin, PlansService plans, NodesService nodes, AdminStatsService stats,
            CashoutsService cashouts, AuditService audit, NodeModerationService moderation, AbuseService abuse) {
        this.moderation = moderation;
        this.abuse = abuse;
        this.accountAdmin = accountAdmin;
        this.plans = plans;
        this.nodes = nodes;
        this.stats = stats;
        this.cashouts = cashouts;
        this.audit = audit;
    }

    // ---- Supply overview ----

    /** Lowest-scoring connected nodes listed on the supply page (docs/exit-quality.md#where-it-shows). */
    static final int LOWEST_QUALITY_LISTED = 10;

    @GetMapping("/admin")
    String supply(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String done,
            Model model) {
        model.addAttribute("moderationDone", "moderated".equals(done)
                ? "Applied: the gateway acts on it within seconds." : "lifted".equals(done) ? "Lifted." : null);
        return renderSupply(me, model);
    }

    private String renderSupply(AuthenticatedUser me, Model model) {
        model.addAttribute("moderations", moderation.list(true));
        model.addAttribute("stats", stats.stats(me.userId()));
        var nodeStats = nodes.stats(me.userId(), true);
        model.addAttribute("nodeStats", nodeStats);
        model.addAttribute("network", nodes.network());
        model.addAttribute("quality", moderation.connectedQualityOverview(LOWEST_QUALITY_LISTED));
        model.addAttribute("byCountry", sorted(nodeStats.byCountry()));
        model.addAttribute("byDeviceType", sorted(nodeStats.byDeviceType()));
        model.addAttribute("byConnectionType", sorted(nodeStats.byConnectionType()));
        return "admin/supply";
    }

    /** Bans or quarantines nodes (docs/moderation.md); a refused request renders the page with the message. */
    @PostMapping("/admin/nodes/bans")
    String moderate(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String action,
            @RequestParam(defaultValue = "") String scope, @RequestParam(defaultValue = "") String target,
            @RequestParam(defaultValue = "") String reason, @RequestParam(defaultValue = "") String hours,
            HttpServletResponse response, Model model) {
        try {
            Instant expires = null;
            if (!hours.isBlank()) {
                if (!hours.strip().matches("[0-9]{1,5}") || Integer.parseInt(hours.strip()) < 1) {
                    throw new NodesException(NodesException.Reason.INVALID_MODERATION,
                            "hours: '" + hours + "' (expected: 1-99999, or empty for never)", "expiresAt");
                }
                expires = Instant.now().plus(Duration.ofHours(Integer.parseInt(hours.strip())));
            }
            moderation.moderate(me.userId(), new NewNodeModeration(action, scope, target, reason, expires));
        } catch (NodesException e) {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            model.addAttribute("moderationError", capitalize(e.getMessage()));
            return renderSupply(me, model);
        }
        return "redirect:/admin?done=moderated";
    }

    @PostMapping("/admin/nodes/bans/{id}/lift")
    String lift(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        moderation.lift(me.userId(), id);
        return "redirect:/admin?done=lifted";
    }

    // ---- Abuse reports ----

    /**
     * The abuse queue (docs/moderation.md#abuse-reports): open reports (all with {@code all=true}),
     * each with the customers and exits the usage records show for its target and window.
     */
    @GetMapping("/admin/abuse")
    String abuseQueue(@RequestParam(defaultValue = "false") boolean all, @RequestParam(required = false) @Nullable String done,
            Model model) {
        return renderAbuse(all, "resolved".equals(done) ? "Report resolved." : null, null, model);
    }

    private String renderAbuse(boolean all, @Nullable String done, @Nullable String error, Model model) {
        List<AbuseReport> reports = abuse.list(!all);
        Map<UUID, List<TargetTraffic>> traffic = new LinkedHashMap<>();
        for (AbuseReport r : reports) {
            if ("open".equals(r.status())) {
                traffic.put(r.id(), abuse.traffic(r.id()));
            }
        }
        model.addAttribute("reports", reports);
        model.addAttribute("traffic", traffic);
        model.addAttribute("all", all);
        model.addAttribute("done", done);
        model.addAttribute("error", error);
        return "admin/abuse";
    }

    @PostMapping("/admin/abuse/{id}/resolve")
    String resolveAbuse(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @RequestParam(defaultValue = "") String note, @RequestParam(defaultValue = "false") boolean quarantine,
            HttpServletResponse response, Model model) {
        try {
            abuse.resolve(me.userId(), id, note, quarantine);
        } catch (AbuseException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            response.setStatus(e.status().value());
            return renderAbuse(false, null, capitalize(e.getMessage()), model);
        }
        return "redirect:/admin/abuse?done=resolved";
    }

    // ---- Users ----

    @GetMapping("/admin/users")
    String users(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String q,
            @RequestParam(defaultValue = "") String status, @RequestParam(defaultValue = "") String role,
            @RequestParam(defaultValue = "") String plan, @RequestParam(defaultValue = "1") int page,
            @RequestParam(required = false) @Nullable String done, Model model) {
        model.addAttribute("done", done == null ? null : DONE.get(done));
        return renderUsers(me, q, status, role, plan, page, model);
    }

    @PostMapping("/admin/users/{id}/status")
    String status(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, @RequestParam String status,
            @RequestParam(defaultValue = "") String reason, @RequestParam(defaultValue = "") String back,
            HttpServletResponse response, Model model) {
        return act(me, back, "status", response, model, () -> accountAdmin.changeStatus(me.userId(), id,
                parse(UserStatus.class, status), reason.isBlank() ? null : reason.strip()));
    }

    @PostMapping("/admin/users/{id}/plan")
    String plan(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, @RequestParam String planId,
            @RequestParam(defaultValue = "") String back, HttpServletResponse response, Model model) {
        return act(me, back, "plan", response, model, () -> plans.changePlan(me.userId(), id, planId.strip()));
    }

    @PostMapping("/admin/users/{id}/balance")
    String balance(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @RequestParam(defaultValue = "") String gbBalance, @RequestParam(defaultValue = "") String reason,
            @RequestParam(defaultValue = "") String back, HttpServletResponse response, Model model) {
        BigDecimal gb;
        try {
            gb = new BigDecimal(gbBalance.strip());
        } catch (NumberFormatException e) {
            return refused(me, back, "GB balance must be a number, e.g. 10 or 2.5", response, model);
        }
        if (gb.signum() < 0) {
            return refused(me, back, "GB balance must not be negative", response, model);
        }
        if (reason.isBlank()) {
            return refused(me, back, "Give a reason for the balance change (it goes into the audit log)", response, model);
        }
        return act(me, back, "balance", response, model, () -> plans.setBalance(me.userId(), id, gb, reason.strip()));
    }

    @PostMapping("/admin/users/{id}/role")
    String role(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, @RequestParam String role,
            @RequestParam(defaultValue = "") String back, HttpServletResponse response, Model model) {
        return act(me, back, "role", response, model, () -> accountAdmin.changeRole(me.userId(), id, parse(UserRole.class, role)));
    }

    @PostMapping("/admin/users/{id}/delete")
    String deleteUser(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @RequestParam(defaultValue = "") String back, HttpServletResponse response, Model model) {
        return act(me, back, "deleted", response, model, () -> accountAdmin.deleteByAdmin(me.userId(), id));
    }

    @PostMapping("/admin/users/{id}/reset-2fa")
    String resetTwoFactor(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @RequestParam(defaultValue = "") String back, HttpServletResponse response, Model model) {
        return act(me, back, "2fa", response, model, () -> accountAdmin.resetTwoFactor(me.userId(), id));
    }

    @PostMapping("/admin/users/{id}/verify-email")
    String verifyEmail(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @RequestParam(defaultValue = "") String back, HttpServletResponse response, Model model) {
        return act(me, back, "email-verified", response, model, () -> accountAdmin.verifyEmail(me.userId(), id));
    }

    private String act(AuthenticatedUser me, String back, String done, HttpServletResponse response, Model model,
            Runnable action) {
        try {
            action.run();
        } catch (ApiException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            return refused(me, back, capitalize(e.getMessage()), response, model);
        }
        return "redirect:" + withParam(safeBack(back), "done", done);
    }

    private String refused(AuthenticatedUser me, String back, String message, HttpServletResponse response, Model model) {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        model.addAttribute("error", message);
        var params = UriComponentsBuilder.fromUriString(safeBack(back)).build().getQueryParams();
        return renderUsers(me, params.getFirst("q") == null ? "" : decode(params.getFirst("q")),
                orEmpty(params.getFirst("status")), orEmpty(params.getFirst("role")), orEmpty(params.getFirst("plan")),
                params.getFirst("page") == null ? 1 : Integer.parseInt(params.getFirst("page")), model);
    }

    private String renderUsers(AuthenticatedUser me, String q, String status, String role, String plan, int page, Model model) {
        @Nullable UserStatus st = status.isBlank() ? null : parse(UserStatus.class, status);
        @Nullable UserRole ro = role.isBlank() ? null : parse(UserRole.class, role);
        @Nullable List<UUID> ids = plan.isBlank() ? null : plans.activeSubscribers(plan.strip());
        AccountPage result = accountAdmin.search(new AccountSearch(q.isBlank() ? null : q.strip(), st, ro, ids,
                AccountSearch.Sort.CREATED_AT, true, Math.max(1, page), PAGE_SIZE));
        Map<UUID, Subscription> subscriptions = plans.current(result.items().stream().map(Account::id).toList());
        model.addAttribute("result", result);
        model.addAttribute("subscriptions", subscriptions);
        model.addAttribute("pages", Math.max(1, (result.total() + PAGE_SIZE - 1) / PAGE_SIZE));
        List<PlanDetails> allPlans = plans.allPlans();
        model.addAttribute("allPlans", allPlans);
        // Plans without an included GB amount (Enterprise): their balance is not a limit, so say so.
        model.addAttribute("customAllowance", allPlans.stream().filter(d -> d.plan().includedGb() == null)
                .map(d -> d.plan().id()).collect(Collectors.toSet()));
        model.addAttribute("q", q);
        model.addAttribute("status", status);
        model.addAttribute("role", role);
        model.addAttribute("plan", plan);
        model.addAttribute("meId", me.userId());
        String base = UriComponentsBuilder.fromPath("/admin/users").queryParam("q", q).queryParam("status", status)
                .queryParam("role", role).queryParam("plan", plan).encode().build().toUriString();
        model.addAttribute("base", base);
        model.addAttribute("back", withParam(base, "page", String.valueOf(Math.max(1, page))));
        return "admin/users";
    }

    // ---- Plans ----

    @GetMapping("/admin/plans")
    String plansPage(@RequestParam(required = false) @Nullable String done, Model model) {
        model.addAttribute("done", done == null ? null : DONE.get(done));
        return renderPlans(model, null, null, Map.of());
    }

    @PostMapping("/admin/plans")
    String createPlan(@AuthenticationPrincipal AuthenticatedUser me, PlanFormParams p, HttpServletResponse response, Model model) {
        PlanForm form = p.form();
        Map<String, String> errors = form.errors(true);
        if (errors.isEmpty()) {
            try {
                int order = plans.allPlans().stream().mapToInt(PlanDetails::sortOrder).max().orElse(0) + 10;
                plans.createPlan(me.userId(), form.id().strip(), form.spec(null, order));
                return "redirect:/admin/plans?done=plan-created";
            } catch (ApiException e) {
                errors = Map.of(e.field() == null ? "id" : e.field(), capitalize(e.getMessage()));
            }
        }
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        return renderPlans(model, "", form, errors);
    }

    @PostMapping("/admin/plans/{id}")
    String updatePlan(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable String id, PlanFormParams p,
            HttpServletResponse response, Model model) {
        PlanDetails existing = plans.details(id);
        PlanForm form = p.form();
        Map<String, String> errors = form.errors(false);
        if (errors.isEmpty()) {
            try {
                plans.updatePlan(me.userId(), id, form.spec(PlanSpec.of(existing), existing.sortOrder()));
                return "redirect:/admin/plans?done=plan-saved";
            } catch (ApiException e) {
                errors = Map.of(e.field() == null ? "name" : e.field(), capitalize(e.getMessage()));
            }
        }
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        return renderPlans(model, id, form, errors);
    }

    /**
     * The sign-up plan (docs/product/plans.md#sign-up-plan): an active plan and an optional first
     * balance in GB instead of the plan's included GB (empty: the plan's).
     */
    @PostMapping("/admin/plans/signup")
    String setSignupPlan(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String planId,
            @RequestParam(defaultValue = "") String includedGb, HttpServletResponse response, Model model) {
        @Nullable BigDecimal override = null;
        String gb = includedGb.strip();
        if (!gb.isEmpty()) {
            try {
                override = new BigDecimal(gb);
            } catch (NumberFormatException e) {
                return signupPlanRefused(model, response, "First balance must be a number of GB, e.g. 5 or 0.5", planId, gb);
            }
        }
        try {
            plans.setSignupPlan(me.userId(), planId.strip(), override);
        } catch (ApiException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            return signupPlanRefused(model, response, capitalize(e.getMessage()), planId, gb);
        }
        return "redirect:/admin/plans?done=signup-plan#signup-plan";
    }

    private String signupPlanRefused(Model model, HttpServletResponse response, String message, String planId, String gb) {
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        model.addAttribute("signupError", message);
        String page = renderPlans(model, null, null, Map.of());
        model.addAttribute("signupChoice", planId);
        model.addAttribute("signupGb", gb);
        return page;
    }

    @PostMapping("/admin/plans/{id}/deactivate")
    String deactivatePlan(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable String id, HttpServletResponse response,
            Model model) {
        PlanDetails existing = plans.details(id);
        PlanSpec s = PlanSpec.of(existing);
        try {
            plans.updatePlan(me.userId(), id, new PlanSpec(s.name(), s.description(), s.currency(), s.priceMonthly(),
                    s.priceAnnual(), s.pricePerGb(), s.overagePerGb(), s.includedGb(), s.requestsPerSecond(),
                    s.requestsPerDay(), s.maxConcurrentConnections(), s.maxStickyLifetimeSeconds(), s.stickySessions(),
                    s.targeting(), s.features(), s.sortOrder(), false));
        } catch (ApiException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            model.addAttribute("error", capitalize(e.getMessage()));
            response.setStatus(e.status().value());
            return renderPlans(model, null, null, Map.of());
        }
        return "redirect:/admin/plans?done=plan-deactivated";
    }

    /**
     * The plans editor: every plan, with {@code editing} (a plan id, or {@code ""} for the new-plan
     * form) opened with {@code form} and its {@code errors} after a refused save.
     */
    private String renderPlans(Model model, @Nullable String editing, @Nullable PlanForm form, Map<String, String> errors) {
        List<PlanDetails> all = plans.allPlans();
        model.addAttribute("plans", all);
        Map<String, PlanForm> forms = new LinkedHashMap<>();
        for (PlanDetails d : all) {
            forms.put(d.plan().id(), d.plan().id().equals(editing) && form != null ? form : PlanForm.of(d));
        }
        model.addAttribute("forms", forms);
        model.addAttribute("newForm", "".equals(editing) && form != null ? form : PlanForm.blank());
        model.addAttribute("editing", editing);
        model.addAttribute("planErrors", errors);
        // Thymeleaf's fragment parameters may not build objects, so the empty map comes from here.
        model.addAttribute("noErrors", Map.of());
        model.addAttribute("targetingOptions", PlanForm.TARGETING);
        SignupPlan signup = plans.signupPlan();
        model.addAttribute("signupPlan", signup.planId());
        model.addAttribute("signup", signup);
        model.addAttribute("signupChoice", signup.planId());
        model.addAttribute("signupGb", signup.includedGbOverride() == null ? "" : signup.includedGbOverride().stripTrailingZeros().toPlainString());
        model.addAttribute("activePlans", all.stream().filter(PlanDetails::active).toList());
        return "admin/plans";
    }

    /** The plan form's request parameters, bound by name; missing ones are empty. */
    record PlanFormParams(@Nullable String id, @Nullable String name, @Nullable String description,
            @Nullable String priceMonthly, @Nullable String pricePerGb, @Nullable String includedGb,
            @Nullable String requestsPerSecond, @Nullable String requestsPerDay, @Nullable String maxConcurrentConnections,
            @Nullable String maxStickyLifetimeSeconds, @Nullable String stickySessions, @Nullable List<String> targeting,
            @Nullable String active) {

        PlanForm form() {
            return new PlanForm(s(id), s(name), s(description), s(priceMonthly), s(pricePerGb), s(includedGb),
                    s(requestsPerSecond), s(requestsPerDay), s(maxConcurrentConnections), s(maxStickyLifetimeSeconds),
                    "true".equals(stickySessions), targeting == null ? List.of() : targeting, "true".equals(active));
        }

        private static String s(@Nullable String v) {
            return v == null ? "" : v;
        }
    }

    // ---- Cash-outs ----

    @GetMapping("/admin/cashouts")
    String cashoutQueue(@RequestParam(defaultValue = "pending") String status,
            @RequestParam(required = false) @Nullable String done, Model model) {
        model.addAttribute("done", done == null ? null : DONE.get(done));
        return renderCashouts(status, model);
    }

    /**
     * Shows the full payment details of one cash-out paid by hand on the review page (a POST, so a
     * view is a deliberate action: each is audited by the cash-outs feature; 2FA is required for
     * every admin page already and checked again there).
     */
    @PostMapping("/admin/cashouts/{id}/details")
    String revealDetails(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @RequestParam(defaultValue = "all") String status, HttpServletResponse response, Model model) {
        try {
            model.addAttribute("revealed", cashouts.paymentDetails(me.userId(), me.twoFactor(), id));
        } catch (ApiException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            model.addAttribute("error", capitalize(e.getMessage()));
            response.setStatus(e.status().value());
        }
        return renderCashouts(status, model);
    }

    @PostMapping("/admin/cashouts/{id}/{decision}")
    String decide(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, @PathVariable String decision,
            @RequestParam(defaultValue = "") String note, @RequestParam(defaultValue = "") String reference,
            @RequestParam(defaultValue = "pending") String status, HttpServletResponse response, Model model) {
        @Nullable String n = note.isBlank() ? null : note.strip();
        try {
            switch (decision) {
                case "approve" -> cashouts.approve(me.userId(), id, n);
                case "reject" -> cashouts.reject(me.userId(), id, n);
                case "paid" -> cashouts.complete(me.userId(), id, reference);
                default -> throw new ResponseStatusException(HttpStatus.NOT_FOUND);
            }
        } catch (ApiException e) {
            if (e.status().value() == HttpServletResponse.SC_NOT_FOUND) {
                throw e;
            }
            model.addAttribute("error", capitalize(e.getMessage()));
            response.setStatus(e.status().value());
            return renderCashouts(status, model);
        }
        String done = switch (decision) {
            case "approve" -> "approved";
            case "reject" -> "rejected";
            default -> "paid";
        };
        return "redirect:/admin/cashouts?status=" + (decision.equals("paid") ? "completed" : "pending") + "&done=" + done;
    }

    private String renderCashouts(String status, Model model) {
        @Nullable CashoutStatus st = status.equals("all") ? null : parse(CashoutStatus.class, status);
        List<Cashout> queue = cashouts.queue(st, 200);
        Map<UUID, Account> owners = accountAdmin.search(new AccountSearch(null, null, null,
                queue.stream().map(Cashout::userId).distinct().toList(), AccountSearch.Sort.CREATED_AT, false, 1,
                AccountAdminService.MAX_PAGE_SIZE)).items().stream().collect(Collectors.toMap(Account::id, Function.identity()));
        model.addAttribute("queue", queue);
        model.addAttribute("byHand", queue.stream().filter(cashouts::paidByHand).map(Cashout::id).collect(Collectors.toSet()));
        model.addAttribute("owners", owners);
        model.addAttribute("status", status);
        model.addAttribute("statuses", Arrays.stream(CashoutStatus.values()).map(s -> s.name().toLowerCase(Locale.ROOT)).toList());
        return "admin/cashouts";
    }

    // ---- Audit log ----

    @GetMapping("/admin/audit")
    String auditLog(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String action,
            @RequestParam(defaultValue = "1") int page, Model model) {
        AuditPage result = audit.list(me.userId(), true, Math.max(1, page), AUDIT_PAGE_SIZE, action.isBlank() ? null : action);
        model.addAttribute("result", result);
        model.addAttribute("action", action);
        model.addAttribute("actions", Arrays.stream(AuditAction.values()).map(AuditAction::dbValue).sorted().toList());
        model.addAttribute("pages", Math.max(1, (result.total() + AUDIT_PAGE_SIZE - 1) / AUDIT_PAGE_SIZE));
        model.addAttribute("base", UriComponentsBuilder.fromPath("/admin/audit").queryParam("action", action).encode().build().toUriString());
        List<UUID> userIds = result.items().stream().map(e -> e.userId()).filter(java.util.Objects::nonNull).distinct().toList();
        model.addAttribute("actors", userIds.isEmpty() ? Map.of() : accountAdmin.search(new AccountSearch(null, null, null, userIds,
                AccountSearch.Sort.CREATED_AT, false, 1, AccountAdminService.MAX_PAGE_SIZE)).items().stream()
                .collect(Collectors.toMap(Account::id, Account::email)));
        return "admin/audit";
    }

    // ---- helpers ----

    /** Entries by count, largest first. */
    private static List<Map.Entry<String, Integer>> sorted(Map<String, Integer> counts) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey())).toList();
    }

    /** An enum constant by its lower-case name; a 400 page for anything else. */
    private static <E extends Enum<E>> E parse(Class<E> type, String value) {
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "unknown " + type.getSimpleName() + ": " + value);
        }
    }

    /** Only a users-page address of this site (no open redirect). */
    private static String safeBack(String back) {
        return back.startsWith("/admin/users") && !back.startsWith("//") ? back : "/admin/users";
    }

    private static String withParam(String url, String name, String value) {
        return UriComponentsBuilder.fromUriString(url).replaceQueryParam(name, value).build().toUriString();
    }

    private static String decode(@Nullable String s) {
        return s == null ? "" : java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String orEmpty(@Nullable String s) {
        return s == null ? "" : s;
    }

    private static String capitalize(@Nullable String s) {
        return s == null || s.isEmpty() ? "Something went wrong" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
