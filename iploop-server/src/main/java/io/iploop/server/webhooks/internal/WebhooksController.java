package io.iploop.server.webhooks.internal;

import io.iploop.server.platform.AuthenticatedUser;
import io.iploop.server.webhooks.CreatedWebhookEndpoint;
import io.iploop.server.webhooks.WebhookDelivery;
import io.iploop.server.webhooks.WebhookEndpoint;
import io.iploop.server.webhooks.WebhookEndpointChange;
import io.iploop.server.webhooks.WebhookEventTypes;
import io.iploop.server.webhooks.WebhooksService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/webhooks} (docs/integrations/webhooks.md#endpoints): the caller's webhook endpoints
 * and their delivery log. Another account's endpoint id answers 404 on every route.
 */
@RestController
@RequestMapping("/api/webhooks")
@Tag(name = "webhooks", description = "Signed webhook endpoints")
class WebhooksController {

    private static final String SHOWN_ONCE = "Save this signing secret now! It will not be shown again.";

    private final WebhooksService webhooks;

    WebhooksController(WebhooksService webhooks) {
        this.webhooks = webhooks;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Register an endpoint; the signing secret is in this response only")
    CreatedResponse create(@AuthenticationPrincipal AuthenticatedUser caller, @RequestBody @NotNull
            WebhookEndpointChange r) {
        return CreatedResponse.of(webhooks.create(caller.userId(), r));
    }

    @GetMapping
    @Operation(summary = "The caller's endpoints (without secrets) and the event types one may subscribe to")
    EndpointsResponse list(@AuthenticationPrincipal AuthenticatedUser caller) {
        return new EndpointsResponse(webhooks.list(caller.userId()), WebhookEventTypes.SUBSCRIBABLE);
    }

    @GetMapping("/{id}")
    @Operation(summary = "One endpoint")
    WebhookEndpoint get(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return webhooks.get(caller.userId(), id);
    }

    @PatchMapping("/{id}")
    @Operation(summary = "Change url, eventTypes, description or enabled; enabling clears a disable for failures")
    WebhookEndpoint update(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id,
            @RequestBody @NotNull WebhookEndpointChange r) {
        return webhooks.update(caller.userId(), id, r);
    }

    /** The same change as PATCH, under the verb most providers' webhook APIs use for it. */
    @PutMapping("/{id}")
    @Operation(summary = "Same as PATCH: change the fields given (url, eventTypes, description, enabled)")
    WebhookEndpoint put(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id,
            @RequestBody @NotNull WebhookEndpointChange r) {
        return update(caller, id, r);
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete an endpoint, its queued events and its delivery log")
    void delete(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        webhooks.delete(caller.userId(), id);
    }

    @PostMapping("/{id}/rotate-secret")
    @Operation(summary = "Replace the signing secret at once; the new one is in this response only")
    CreatedResponse rotateSecret(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return CreatedResponse.of(webhooks.rotateSecret(caller.userId(), id));
    }

    /** The same as rotate-secret, under the name docs/integrations/webhooks.md also lists. */
    @PostMapping("/{id}/regenerate-secret")
    @Operation(summary = "Same as rotate-secret")
    CreatedResponse regenerateSecret(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return rotateSecret(caller, id);
    }

    @PostMapping("/{id}/test")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Queue a webhook.test event for this endpoint")
    TestResponse test(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id) {
        return new TestResponse(webhooks.sendTest(caller.userId(), id));
    }

    @PostMapping("/{id}/events/{eventId}/resend")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Send one event (its webhook-id) to this endpoint again")
    void resend(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id, @PathVariable String eventId) {
        webhooks.resend(caller.userId(), id, eventId);
    }

    @GetMapping("/{id}/deliveries")
    @Operation(summary = "The newest delivery attempts (status code, duration, attempt, error), newest first")
    DeliveriesResponse deliveries(@AuthenticationPrincipal AuthenticatedUser caller, @PathVariable UUID id,
            @RequestParam(defaultValue = "50") int limit) {
        return new DeliveriesResponse(webhooks.deliveries(caller.userId(), id, limit));
    }

    record CreatedResponse(WebhookEndpoint endpoint, String secret, String warning) {

        static CreatedResponse of(CreatedWebhookEndpoint created) {
            return new CreatedResponse(created.endpoint(), created.secret(), SHOWN_ONCE);
        }
    }

    record EndpointsResponse(List<WebhookEndpoint> endpoints, List<String> eventTypes) {}

    record TestResponse(String eventId) {}

    record DeliveriesResponse(List<WebhookDelivery> deliveries) {}
}
