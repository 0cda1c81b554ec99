package io.iploop.server.campaigns;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An active project as the engine sees it (docs/campaigns.md#engine): its limits, counters at read
 * time, and its parsed settings. Immutable; counters change under the engine's feet, so it reserves
 * visits with {@link CampaignsService#reserveVisits} rather than trusting these numbers.
 */
public record RunnableProject(UUID id, UUID userId, String name, int dailyLimit, long totalTarget,
        @Nullable Instant expiresAt, int visitsToday, long visitsTotal, CampaignSettings settings) {}
