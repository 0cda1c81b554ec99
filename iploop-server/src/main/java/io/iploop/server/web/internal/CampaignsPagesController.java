package io.iploop.server.web.internal;

import io.iploop.server.billing.BillingService;
import io.iploop.server.campaigns.CampaignDomainsService;
import io.iploop.server.campaigns.CampaignPricing;
import io.iploop.server.campaigns.CampaignWalletInvoices;
import io.iploop.server.campaigns.CampaignWalletService;
import io.iploop.server.campaigns.CampaignsException;
import io.iploop.server.campaigns.CampaignsService;
import io.iploop.server.campaigns.Project;
import io.iploop.server.campaigns.ProjectSpec;
import io.iploop.server.campaigns.ProjectStatus;
import io.iploop.server.platform.AuthenticatedUser;
import jakarta.servlet.http.HttpServletResponse;
import java.math.BigDecimal;
import java.util.Arrays;
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
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The campaigns page (docs/campaigns.md#dashboard): the EUR wallet and the price quote, the domain
 * claims with their verification instructions, and the projects (create from form fields, edit with
 * the settings JSON as saved, pause, resume, stop, delete). Every action goes through the campaigns
 * feature's services, scoped by the signed-in account (another account's id is a 404); a refusal
 * renders the page with the message naming the field. Stateless; thread-safe.
 */
@Controller
final class CampaignsPagesController {

    private static final Map<String, String> DONE = Map.of(
            "claimed", "Domain claimed. Publish the TXT record or the file below, then verify.",
            "verified", "Domain verified. Projects may now target it.",
            "domain-deleted", "Domain claim withdrawn.",
            "created", "Project created.",
            "updated", "Project saved.",
            "status", "Project status changed.",
            "deleted", "Project deleted.",
            "invoiced", "Invoice requested: transfer the amount with the invoice number as the reference.");

    private final CampaignsService campaigns;
    private final CampaignDomainsService domains;
    private final CampaignWalletService wallet;
    private final CampaignWalletInvoices walletInvoices;
    private final BillingService billing;
    private final JsonMapper json;

    CampaignsPagesController(CampaignsService campaigns, CampaignDomainsService domains, CampaignWalletService wallet,
            CampaignWalletInvoices walletInvoices, BillingService billing, JsonMapper json) {
        this.walletInvoices = walletInvoices;
        this.billing = billing;
        this.campaigns = campaigns;
        this.domains = domains;
        this.wallet = wallet;
        this.json = json;
    }

    @GetMapping("/campaigns")
    String page(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String done,
            @RequestParam(required = false) @Nullable String amount, HttpServletResponse response, Model model) {
        model.addAttribute("done", done == null ? null : DONE.get(done));
        if (amount != null && !amount.isBlank()) {
            model.addAttribute("amount", amount.strip());
            try {
                model.addAttribute("quote", CampaignPricing.quote(new BigDecimal(amount.strip())));
            } catch (NumberFormatException e) {
                model.addAttribute("error", "Amount: '" + amount.strip() + "' is not a number of EUR");
                response.setStatus(400);
            } catch (CampaignsException e) {
                model.addAttribute("error", e.getMessage());
                response.setStatus(400);
            }
        }
        return render(me, model);
    }

    @PostMapping("/campaigns/wallet/top-ups")
    String requestTopUp(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String amount,
            HttpServletResponse response, Model model) {
        try {
            walletInvoices.request(me.userId(), amount);
        } catch (CampaignsException e) {
            return refused(me, e, response, model);
        }
        return "redirect:/campaigns?done=invoiced";
    }

    @PostMapping("/campaigns/domains")
    String claim(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String domain,
            HttpServletResponse response, Model model) {
        try {
            domains.claim(me.userId(), domain);
        } catch (CampaignsException e) {
            return refused(me, e, response, model);
        }
        return "redirect:/campaigns?done=claimed";
    }

    @PostMapping("/campaigns/domains/{id}/verify")
    String verify(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, HttpServletResponse response,
            Model model) {
        try {
            domains.verify(me.userId(), id);
        } catch (CampaignsException e) {
            if (e.reason() == CampaignsException.Reason.DOMAIN_NOT_FOUND) {
                throw e;
            }
            return refused(me, e, response, model);
        }
        return "redirect:/campaigns?done=verified";
    }

    @PostMapping("/campaigns/domains/{id}/delete")
    String deleteDomain(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, HttpServletResponse response,
            Model model) {
        try {
            domains.delete(me.userId(), id);
        } catch (CampaignsException e) {
            if (e.reason() == CampaignsException.Reason.DOMAIN_NOT_FOUND) {
                throw e;
            }
            return refused(me, e, response, model);
        }
        return "redirect:/campaigns?done=domain-deleted";
    }

    /** Creates a project from the form: URLs one per line, countries as {@code US:70, DE:30}. */
    @PostMapping("/campaigns/projects")
    String create(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String name,
            @RequestParam(defaultValue = "") String urls, @RequestParam(defaultValue = "") String countries,
            @RequestParam(defaultValue = "") String dailyLimit, @RequestParam(defaultValue = "") String totalTarget,
            @RequestParam(defaultValue = "50") String trafficSpeed, HttpServletResponse response, Model model) {
        model.addAttribute("form", Map.of("name", name, "urls", urls, "countries", countries, "dailyLimit", dailyLimit,
                "totalTarget", totalTarget, "trafficSpeed", trafficSpeed));
        try {
            String settings = settingsOf(urls, countries, trafficSpeed);
            campaigns.create(me.userId(), new ProjectSpec(name, null, integer(dailyLimit, "dailyLimit"),
                    whole(totalTarget, "totalTarget"), null, settings));
        } catch (CampaignsException e) {
            return refused(me, e, response, model);
        }
        return "redirect:/campaigns?done=created";
    }

    /** Saves a project's name, limits and settings JSON (kept exactly as typed). */
    @PostMapping("/campaigns/projects/{id}")
    String update(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "") String dailyLimit,
            @RequestParam(defaultValue = "") String totalTarget, @RequestParam(defaultValue = "") String settings,
            HttpServletResponse response, Model model) {
        Project current = campaigns.get(me.userId(), id);
        try {
            campaigns.update(me.userId(), id, new ProjectSpec(name, null, integer(dailyLimit, "dailyLimit"),
                    whole(totalTarget, "totalTarget"), current.expiresAt(), settings));
        } catch (CampaignsException e) {
            model.addAttribute("editing", id);
            return refused(me, new CampaignsException(e.reason(), current.name() + ": " + e.getMessage(), e.field()),
                    response, model);
        }
        return "redirect:/campaigns?done=updated";
    }

    @PostMapping("/campaigns/projects/{id}/status")
    String status(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, @RequestParam String status,
            HttpServletResponse response, Model model) {
        try {
            campaigns.changeStatus(me.userId(), id, ProjectStatus.of(status));
        } catch (CampaignsException e) {
            if (e.reason() == CampaignsException.Reason.PROJECT_NOT_FOUND) {
                throw e;
            }
            return refused(me, e, response, model);
        }
        return "redirect:/campaigns?done=status";
    }

    @PostMapping("/campaigns/projects/{id}/delete")
    String delete(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        campaigns.delete(me.userId(), id);
        return "redirect:/campaigns?done=deleted";
    }

    private String settingsOf(String urls, String countries, String trafficSpeed) {
        ObjectNode s = json.createObjectNode();
        ArrayNode u = s.putArray("urls");
        Arrays.stream(urls.split("[\\s,]+")).map(String::strip).filter(x -> !x.isEmpty()).forEach(u::add);
        ArrayNode geo = s.putArray("geoTargets");
        for (String part : countries.split("[\\s,]+")) {
            if (part.isBlank()) {
                continue;
            }
            String[] cw = part.strip().split(":", 2);
            ObjectNode t = geo.addObject().put("country", cw[0]);
            Integer weight = integer(cw.length > 1 ? cw[1] : "1", "settings.geoTargets[" + (geo.size() - 1) + "].weight");
            t.put("weight", weight == null ? 1 : weight);
        }
        Integer speed = integer(trafficSpeed, "settings.trafficSpeed");
        s.put("trafficSpeed", speed == null ? 50 : speed);
        return json.writeValueAsString(s);
    }

    private static @Nullable Integer integer(String text, String field) {
        Long v = whole(text, field);
        if (v != null && (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE)) {
            throw new CampaignsException(CampaignsException.Reason.INVALID, field + " is too large", field);
        }
        return v == null ? null : v.intValue();
    }

    private static @Nullable Long whole(String text, String field) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new CampaignsException(CampaignsException.Reason.INVALID,
                    field + ": '" + text.strip() + "' is not a whole number", field);
        }
    }

    private String refused(AuthenticatedUser me, CampaignsException e, HttpServletResponse response, Model model) {
        model.addAttribute("error", e.getMessage());
        response.setStatus(e.status().value());
        return render(me, model);
    }

    private String render(AuthenticatedUser me, Model model) {
        List<Project> projects = campaigns.list(me.userId());
        model.addAttribute("projects", projects);
        model.addAttribute("domains", domains.list(me.userId()));
        model.addAttribute("balance", wallet.balance(me.userId()));
        model.addAttribute("walletInvoices", walletInvoices.list(me.userId()));
        model.addAttribute("payment", billing.paymentInstructions());
        model.addAttribute("tiers", CampaignPricing.TIERS);
        model.addAttribute("wellKnown", CampaignDomainsService.WELL_KNOWN_PATH);
        return "campaigns";
    }
}
