package io.iploop.server.campaigns;

import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A campaign project as stored (docs/campaigns.md#projects). Immutable.
 *
 * @param dailyLimit visits per UTC day, 0 for none
 * @param totalTarget visits in all, 0 for none
 * @param expiresAt when the project stops, or null for never
 * @param settings the settings JSON text exactly as the customer saved it (returned raw, not re-encoded)
 * @param statusReason why the system last changed the status (expiry, lapsed domain), or null
 * @param visitsToday visits reserved on the current UTC day
 * @param visitsTotal visits reserved in all
 */
public record Project(UUID id, UUID userId, String name, ProjectStatus status, @Nullable String statusReason,
        int dailyLimit, long totalTarget, @Nullable Instant expiresAt, @JsonRawValue String settings, int visitsToday,
        long visitsTotal, Instant createdAt, Instant updatedAt) {}
