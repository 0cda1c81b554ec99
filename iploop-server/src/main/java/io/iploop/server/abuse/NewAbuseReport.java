package io.iploop.server.abuse;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A public abuse report as submitted (docs/moderation.md#abuse-reports); validated by
 * {@link AbuseService#submit}, which names the first bad field.
 *
 * @param reporterEmail where the admin can answer, a valid address of at most 254 characters
 * @param target the host name or IP literal that received the traffic, as the proxy customer named it
 * @param from start of the time window (inclusive), not in the future
 * @param to end of the window (exclusive), after {@code from}, at most 7 days later
 * @param description what happened, 10-5000 characters
 */
public record NewAbuseReport(@Nullable String reporterEmail, @Nullable String target, @Nullable Instant from,
        @Nullable Instant to, @Nullable String description) {}
