package io.iploop.server.webhooks;

import java.util.List;
import java.util.UUID;

/**
 * The webhooks feature's public API: an account's endpoints and their delivery log
 * (docs/integrations/webhooks.md). Every method is scoped to {@code userId}: another account's
 * endpoint id answers {@link WebhooksException.Reason#NOT_FOUND}. Thread-safe.
 */
public interface WebhooksService {

    /** Endpoints per account. */
    int MAX_ENDPOINTS = 10;

    /**
     * Registers an endpoint with a new secret, shown only in the answer.
     *
     * @throws WebhooksException {@code INVALID_URL}, {@code INVALID_EVENT_TYPES}, {@code INVALID_DESCRIPTION}
     *     naming the field, or {@code LIMIT_REACHED}
     */
    CreatedWebhookEndpoint create(UUID userId, WebhookEndpointChange endpoint);

    /** The account's endpoints, oldest first. */
    List<WebhookEndpoint> list(UUID userId);

    /** @throws WebhooksException {@code NOT_FOUND} */
    WebhookEndpoint get(UUID userId, UUID endpointId);

    /**
     * Changes the non-null fields of {@code change}; enabling also clears a platform disable.
     *
     * @throws WebhooksException {@code NOT_FOUND} or a validation reason as in {@link #create}
     */
    WebhookEndpoint update(UUID userId, UUID endpointId, WebhookEndpointChange change);

    /** Deletes the endpoint, its pending events and its log. @throws WebhooksException {@code NOT_FOUND} */
    void delete(UUID userId, UUID endpointId);

    /**
     * Replaces the signing secret at once (events already queued are signed with the new one) and
     * returns it; it is not shown again. @throws WebhooksException {@code NOT_FOUND}
     */
    CreatedWebhookEndpoint rotateSecret(UUID userId, UUID endpointId);

    /**
     * Queues a {@code webhook.test} event for the endpoint; returns its event id.
     *
     * @throws WebhooksException {@code NOT_FOUND}, or {@code DISABLED} for a disabled endpoint
     */
    String sendTest(UUID userId, UUID endpointId);

    /**
     * Sends event {@code eventId} (its {@code webhook-id}) to the endpoint again as soon as the worker
     * runs: a delivered or given-up event gets one more attempt, a pending one is moved up to now.
     *
     * @throws WebhooksException {@code NOT_FOUND} for an unknown endpoint or an event it never had,
     *     {@code DISABLED} for a disabled endpoint
     */
    void resend(UUID userId, UUID endpointId, String eventId);

    /**
     * The newest {@code limit} (1-200) delivery attempts of the endpoint, newest first.
     *
     * @throws WebhooksException {@code NOT_FOUND}
     */
    List<WebhookDelivery> deliveries(UUID userId, UUID endpointId, int limit);
}
