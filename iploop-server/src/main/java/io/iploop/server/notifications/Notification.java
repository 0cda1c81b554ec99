package io.iploop.server.notifications;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A message to one account in the dashboard (docs/plans-and-alerts.md#notifications). Immutable.
 *
 * @param kind what it is about, lower snake case, e.g. {@code usage_alert}
 * @param title one line, at most 200 characters
 * @param body plain text
 * @param link a dashboard path to act on it, or null
 * @param readAt when the account marked it read, or null while unread
 */
public record Notification(UUID id, String kind, String title, String body, @Nullable String link, Instant createdAt,
        @Nullable Instant readAt) {}
