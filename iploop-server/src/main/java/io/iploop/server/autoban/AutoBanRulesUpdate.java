package io.iploop.server.autoban;

import org.jspecify.annotations.Nullable;

/**
 * An admin's change to the auto-ban rules (docs/moderation.md#auto-ban-rules): each field that is
 * present replaces the setting of the same name in {@link AutoBanRules}; an absent (null) one keeps it.
 */
public record AutoBanRulesUpdate(@Nullable Boolean qualityEnabled, @Nullable Integer qualityBelow,
        @Nullable Integer qualityForMinutes, @Nullable Integer qualityMinStreams, @Nullable Integer qualityExpiryHours,
        @Nullable Boolean abuseEnabled, @Nullable Integer abuseReports, @Nullable Integer abuseWindowHours,
        @Nullable Integer abuseExpiryHours, @Nullable Boolean fraudEnabled, @Nullable Integer fraudExpiryHours) {}
