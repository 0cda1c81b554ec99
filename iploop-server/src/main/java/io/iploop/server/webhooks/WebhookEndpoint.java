package io.iploop.server.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A registered webhook endpoint as its owner sees it; the signing secret is never part of it
 * (docs/integrations/webhooks.md#endpoints). Immutable.
 *
 * @param eventTypes the subscribed types ({@link WebhookEventTypes#SUBSCRIBABLE}), sorted
 * @param disabledReason why the platform disabled the endpoint (continuous failure), null when it
 *     is enabled or was disabled by its owner
 * @param consecutiveFailures failed delivery attempts since the last successful one
 */
public record WebhookEndpoint(UUID id, String url, @Nullable String description, List<String> eventTypes,
        boolean enabled, @Nullable String disabledReason, int consecutiveFailures, Instant createdAt,
        Instant updatedAt) {}
