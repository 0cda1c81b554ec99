package io.iploop.server.webhooks;

/**
 * An endpoint with its signing secret ({@code whsec_<base64>}, docs/integrations/webhooks.md#signature),
 * returned only when the endpoint is created or its secret rotated. Immutable.
 */
public record CreatedWebhookEndpoint(WebhookEndpoint endpoint, String secret) {}
