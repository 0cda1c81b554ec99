package io.iploop.server.abuse;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A stored abuse report (docs/moderation.md#abuse-reports). Immutable.
 *
 * @param status {@code open} or {@code resolved}
 * @param resolution the admin's note when resolved, else null
 * @param quarantinedNodes how many nodes the resolution quarantined (0 when open or none)
 */
public record AbuseReport(UUID id, String reporterEmail, String target, Instant from, Instant to, String description,
        String status, Instant createdAt, @Nullable Instant resolvedAt, @Nullable UUID resolvedBy,
        @Nullable String resolution, int quarantinedNodes) {}
