package io.iploop.server.webhooks.internal;

import io.iploop.server.audit.AuditAction;
import io.iploop.server.audit.AuditEvent;
import io.iploop.server.audit.AuditService;
import io.iploop.server.platform.SecureTokens;
import io.iploop.server.webhooks.CreatedWebhookEndpoint;
import io.iploop.server.webhooks.WebhookDelivery;
import io.iploop.server.webhooks.WebhookEndpoint;
import io.iploop.server.webhooks.WebhookEndpointChange;
import io.iploop.server.webhooks.WebhookEventTypes;
import io.iploop.server.webhooks.WebhooksException;
import io.iploop.server.webhooks.WebhooksException.Reason;
import io.iploop.server.webhooks.WebhooksService;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** The webhooks service over {@link WebhookRepository}; also publishes events into the outbox. Thread-safe. */
@Service
class DefaultWebhooksService implements WebhooksService {

    static final int MAX_DESCRIPTION = 200;

    private final WebhookRepository repository;
    private final WebhookDestinations destinations;
    private final JsonMapper json;
    private final Clock clock;
    private final AuditService audit;

    DefaultWebhooksService(WebhookRepository repository, WebhookDestinations destinations, JsonMapper json,
            Clock clock, AuditService audit) {
        this.repository = repository;
        this.destinations = destinations;
        this.json = json;
        this.clock = clock;
        this.audit = audit;
    }

    @Override
    @Transactional
    public CreatedWebhookEndpoint create(UUID userId, WebhookEndpointChange e) {
        if (e.url() == null) {
            throw new WebhooksException(Reason.INVALID_URL, "url is required", "url");
        }
        if (e.eventTypes() == null) {
            throw new WebhooksException(Reason.INVALID_EVENT_TYPES, "eventTypes is required: one or more of "
                    + WebhookEventTypes.SUBSCRIBABLE, "eventTypes");
        }
        String url = destinations.validate(e.url().strip()).toString();
        List<String> types = types(e.eventTypes());
        String description = description(e.description());
        if (repository.countEndpoints(userId) >= MAX_ENDPOINTS) {
            throw new WebhooksException(Reason.LIMIT_REACHED, "at most " + MAX_ENDPOINTS + " webhook endpoints per account",
                    null);
        }
        UUID id = UUID.randomUUID();
        String secret = WebhookSignature.newSecret();
        repository.insertEndpoint(id, userId, url, description, types, e.enabled() == null || e.enabled(), secret);
        audit.record(new AuditEvent(userId, AuditAction.WEBHOOK_CREATED, "webhook_endpoint", id.toString(),
                Map.of("url", url, "event_types", String.join(",", types))));
        return new CreatedWebhookEndpoint(find(userId, id, false), secret);
    }

    @Override
    @Transactional(readOnly = true)
    public List<WebhookEndpoint> list(UUID userId) {
        return repository.endpoints(userId);
    }

    @Override
    @Transactional(readOnly = true)
    public WebhookEndpoint get(UUID userId, UUID endpointId) {
        return find(userId, endpointId, false);
    }

    @Override
    @Transactional
    public WebhookEndpoint update(UUID userId, UUID endpointId, WebhookEndpointChange c) {
        WebhookEndpoint current = find(userId, endpointId, true);
        String url = c.url() == null ? current.url() : destinations.validate(c.url().strip()).toString();
        List<String> types = c.eventTypes() == null ? current.eventTypes() : types(c.eventTypes());
        String description = c.description() == null ? current.description() : description(c.description());
        boolean enable = Boolean.TRUE.equals(c.enabled());
        boolean enabled = c.enabled() == null ? current.enabled() : enable;
        repository.update(endpointId, url, description, types, enabled, enable);
        return find(userId, endpointId, false);
    }

    @Override
    @Transactional
    public void delete(UUID userId, UUID endpointId) {
        WebhookEndpoint endpoint = find(userId, endpointId, true);
        repository.delete(endpointId);
        audit.record(new AuditEvent(userId, AuditAction.WEBHOOK_DELETED, "webhook_endpoint", endpointId.toString(),
                Map.of("url", endpoint.url())));
    }

    @Override
    @Transactional
    public CreatedWebhookEndpoint rotateSecret(UUID userId, UUID endpointId) {
        WebhookEndpoint endpoint = find(userId, endpointId, true);
        String secret = WebhookSignature.newSecret();
        repository.setSecret(endpointId, secret);
        audit.record(new AuditEvent(userId, AuditAction.WEBHOOK_SECRET_ROTATED, "webhook_endpoint",
                endpointId.toString(), Map.of("url", endpoint.url())));
        return new CreatedWebhookEndpoint(find(userId, endpointId, false), secret);
    }

    @Override
    @Transactional
    public String sendTest(UUID userId, UUID endpointId) {
        WebhookEndpoint endpoint = find(userId, endpointId, true);
        if (!endpoint.enabled()) {
            throw new WebhooksException(Reason.DISABLED, "the endpoint is disabled; enable it first", null);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("endpoint_id", endpointId.toString());
        data.put("message", "This is a test event from IPLoop.");
        String eventId = newEventId();
        repository.insertMessage(endpointId, eventId, WebhookEventTypes.TEST, payload(eventId, WebhookEventTypes.TEST,
                data));
        return eventId;
    }

    @Override
    @Transactional
    public void resend(UUID userId, UUID endpointId, String eventId) {
        WebhookEndpoint endpoint = find(userId, endpointId, true);
        if (!endpoint.enabled()) {
            throw new WebhooksException(Reason.DISABLED, "the endpoint is disabled; enable it first", null);
        }
        if (!repository.requeue(endpointId, eventId)) {
            throw new WebhooksException(Reason.NOT_FOUND, "no event " + eventId + " for webhook endpoint " + endpointId,
                    null);
        }
    }

    @Override
    @Transactional(readOnly = true)
    public List<WebhookDelivery> deliveries(UUID userId, UUID endpointId, int limit) {
        find(userId, endpointId, false);
        return repository.deliveries(endpointId, Math.clamp(limit, 1, 200));
    }

    /**
     * Queues event {@code type} with {@code data} for every enabled endpoint of {@code userId}
     * subscribed to it, in the caller's transaction (the event's own); returns the event id.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    String publish(UUID userId, String type, Map<String, Object> data) {
        String eventId = newEventId();
        List<UUID> endpoints = repository.subscribers(userId, type);
        if (!endpoints.isEmpty()) {
            String payload = payload(eventId, type, data);
            endpoints.forEach(endpoint -> repository.insertMessage(endpoint, eventId, type, payload));
        }
        return eventId;
    }

    /** {@code {id, type, created_at, data}} (docs/integrations/webhooks.md#payload). */
    private String payload(String eventId, String type, Map<String, Object> data) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", eventId);
        event.put("type", type);
        event.put("created_at", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
        event.put("data", data);
        return json.writeValueAsString(event);
    }

    private static String newEventId() {
        return "msg_" + SecureTokens.randomHex(16);
    }

    private WebhookEndpoint find(UUID userId, UUID endpointId, boolean lock) {
        return repository.endpoint(userId, endpointId, lock).orElseThrow(() -> new WebhooksException(
                Reason.NOT_FOUND, "no webhook endpoint " + endpointId, null));
    }

    private static List<String> types(List<String> requested) {
        if (requested.isEmpty()) {
            throw new WebhooksException(Reason.INVALID_EVENT_TYPES, "eventTypes must name at least one of "
                    + WebhookEventTypes.SUBSCRIBABLE, "eventTypes");
        }
        TreeSet<String> types = new TreeSet<>();
        for (String t : requested) {
            if (t == null || !WebhookEventTypes.SUBSCRIBABLE.contains(t)) {
                throw new WebhooksException(Reason.INVALID_EVENT_TYPES, "unknown event type " + t + " (expected: "
                        + WebhookEventTypes.SUBSCRIBABLE + ")", "eventTypes");
            }
            types.add(t);
        }
        return List.copyOf(types);
    }

    private static @Nullable String description(@Nullable String description) {
        if (description == null || description.isBlank()) {
            return null;
        }
        if (description.length() > MAX_DESCRIPTION) {
            throw new WebhooksException(Reason.INVALID_DESCRIPTION, "description must be at most " + MAX_DESCRIPTION
                    + " characters", "description");
        }
        return description.strip();
    }
}
