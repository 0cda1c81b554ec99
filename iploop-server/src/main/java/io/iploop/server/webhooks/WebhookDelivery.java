package io.iploop.server.webhooks;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One delivery attempt of one event to one endpoint (docs/integrations/webhooks.md#delivery-log),
 * kept 30 days. Immutable.
 *
 * @param attempt 1 for the first attempt of the event
 * @param statusCode the receiver's HTTP status, null when no response came (refused, timeout)
 * @param durationMs from the start of the attempt to the response or the failure, in milliseconds
 * @param error why the attempt failed, null for a 2xx response
 * @param responseBody the first 1000 characters of the response body, null when none
 */
public record WebhookDelivery(long id, String eventId, String eventType, int attempt, @Nullable Integer statusCode,
        int durationMs, @Nullable String error, @Nullable String responseBody, Instant createdAt) {}
