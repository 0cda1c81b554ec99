package io.iploop.server.webhooks;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What to set on an endpoint; a null field is left as it is (on create: {@code url} and
 * {@code eventTypes} are required, {@code enabled} defaults to true). Immutable.
 *
 * @param url absolute {@code https://} URL (http only where {@code IPLOOP_WEBHOOKS_ALLOW_HTTP} is
 *     set), at most 2000 characters, no user info, not a private, loopback or link-local address
 * @param eventTypes at least one of {@link WebhookEventTypes#SUBSCRIBABLE}
 * @param description free text, at most 200 characters
 * @param enabled false pauses deliveries; true also clears a platform disable and its failure count
 */
public record WebhookEndpointChange(@Nullable String url, @Nullable List<String> eventTypes,
        @Nullable String description, @Nullable Boolean enabled) {}
