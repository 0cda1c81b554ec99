package io.iploop.server.web.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.webhooks.WebhookDelivery;
import io.iploop.server.webhooks.WebhookEndpoint;
import io.iploop.server.webhooks.WebhookEndpointChange;
import io.iploop.server.webhooks.WebhookEventTypes;
import io.iploop.server.webhooks.WebhooksException;
import io.iploop.server.webhooks.WebhooksService;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The webhooks page (docs/integrations/webhooks.md): register an endpoint (its signing secret shown
 * once, with a copy button), list endpoints with their state and latest delivery attempts, enable or
 * disable, send a test event, rotate the secret, delete with confirmation. Every action goes through
 * {@link WebhooksService}, scoped by the signed-in account (another account's endpoint is a 404).
 * Stateless; thread-safe.
 */
@Controller
final class WebhooksPagesController {

    /** Confirmation texts for {@code ?done=}; anything else shows nothing. */
    private static final Map<String, String> DONE = Map.of(
            "enabled", "Endpoint enabled. Queued events are delivered again.",
            "disabled", "Endpoint disabled. Events wait until you enable it.",
            "deleted", "Endpoint deleted, with its queued events and delivery log.",
            "tested", "Test event queued. It shows in the endpoint's deliveries within seconds.");
    private static final int DELIVERIES_SHOWN = 10;

    private final WebhooksService webhooks;

    WebhooksPagesController(WebhooksService webhooks) {
        this.webhooks = webhooks;
    }

    @GetMapping("/webhooks")
    String page(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(required = false) @Nullable String done,
            Model model) {
        model.addAttribute("done", done == null ? null : DONE.get(done));
        return render(me, model);
    }

    @PostMapping("/webhooks")
    String create(@AuthenticationPrincipal AuthenticatedUser me, @RequestParam(defaultValue = "") String url,
            @RequestParam(required = false) @Nullable List<String> eventTypes,
            @RequestParam(defaultValue = "") String description, HttpServletResponse response, Model model) {
        try {
            model.addAttribute("created", webhooks.create(me.userId(), new WebhookEndpointChange(url,
                    eventTypes == null ? List.of() : eventTypes, description, true)));
        } catch (WebhooksException e) {
            model.addAttribute("newUrl", url);
            model.addAttribute("newDescription", description);
            model.addAttribute("formError", e.getMessage());
            model.addAttribute("formField", e.field());
            response.setStatus(e.status().value());
        }
        return render(me, model);
    }

    @PostMapping("/webhooks/{id}/enabled")
    String setEnabled(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id,
            @RequestParam boolean enabled) {
        webhooks.update(me.userId(), id, new WebhookEndpointChange(null, null, null, enabled));
        return "redirect:/webhooks?done=" + (enabled ? "enabled" : "disabled");
    }

    @PostMapping("/webhooks/{id}/test")
    String test(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, HttpServletResponse response,
            Model model) {
        try {
            webhooks.sendTest(me.userId(), id);
            return "redirect:/webhooks?done=tested";
        } catch (WebhooksException e) {
            if (e.status() == HttpStatus.NOT_FOUND) {
                throw e;
            }
            model.addAttribute("error", e.getMessage());
            response.setStatus(e.status().value());
            return render(me, model);
        }
    }

    @PostMapping("/webhooks/{id}/rotate-secret")
    String rotate(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id, Model model) {
        model.addAttribute("created", webhooks.rotateSecret(me.userId(), id));
        model.addAttribute("rotated", true);
        return render(me, model);
    }

    @PostMapping("/webhooks/{id}/delete")
    String delete(@AuthenticationPrincipal AuthenticatedUser me, @PathVariable UUID id) {
        webhooks.delete(me.userId(), id);
        return "redirect:/webhooks?done=deleted";
    }

    private String render(AuthenticatedUser me, Model model) {
        List<WebhookEndpoint> endpoints = webhooks.list(me.userId());
        Map<UUID, List<WebhookDelivery>> deliveries = new LinkedHashMap<>();
        for (WebhookEndpoint e : endpoints) {
            deliveries.put(e.id(), webhooks.deliveries(me.userId(), e.id(), DELIVERIES_SHOWN));
        }
        model.addAttribute("endpoints", endpoints);
        model.addAttribute("deliveries", deliveries);
        model.addAttribute("eventTypes", WebhookEventTypes.SUBSCRIBABLE);
        model.addAttribute("maxEndpoints", WebhooksService.MAX_ENDPOINTS);
        return "webhooks";
    }
}
