package io.iploop.server.campaigns;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What a customer creates or replaces a project with (docs/campaigns.md#projects).
 *
 * @param status null for {@code active} on create and for unchanged on update
 * @param dailyLimit visits per UTC day, 0 (or null) for none
 * @param totalTarget visits in all, 0 (or null) for none
 * @param expiresAt in the future, or null for never
 * @param settings the settings as JSON object text, kept byte for byte
 */
public record ProjectSpec(String name, @Nullable ProjectStatus status, @Nullable Integer dailyLimit,
        @Nullable Long totalTarget, @Nullable Instant expiresAt, String settings) {}
