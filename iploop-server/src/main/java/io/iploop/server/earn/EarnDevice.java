package io.iploop.server.earn;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One of an operator's devices with its earnings (docs/product/earn.md#earn-dashboard). Days are UTC.
 * Immutable.
 *
 * @param id the device id used by the earn API (nodes.id)
 * @param deviceId the agent's own persistent id
 * @param status {@code online}, {@code paused} or {@code offline}
 * @param uptimeSeconds length of the current connection, 0 while offline
 * @param bytesToday bytes carried today, both directions (counted when the usage batch is stored)
 * @param bytesTotal bytes carried since enrolment
 * @param creditsToday whole credits credited today (credit job periods ending today)
 * @param creditsTotal whole credits credited since enrolment
 * @param lastIdClashAt when the gateway last refused a second agent with this device id (a copied disk
 *     or volume: run {@code proxyclaw reset-id} on the copy), or null if never
 * @param lastIdClashFrom that refused agent's public address, or null
 * @param moderation a moderation in force on the device (docs/moderation.md#what-the-owner-sees):
 *     {@code ban} (disconnected, its agent refused) or {@code quarantine} (connected, gets no
 *     traffic), or null
 * @param moderationReason why, as the admin or the auto-ban rule wrote it, or null
 * @param moderationExpiresAt when it ends by itself, or null (none, or until an admin lifts it)
 */
public record EarnDevice(UUID id, String deviceId, @Nullable String name, @Nullable String installMethod,
        @Nullable String nodeVersion, @Nullable String country, @Nullable String city, String status,
        @Nullable Instant connectedSince, long uptimeSeconds, long bytesToday, long bytesTotal, long creditsToday,
        long creditsTotal, Instant createdAt, @Nullable Instant lastIdClashAt, @Nullable String lastIdClashFrom,
        @Nullable String moderation, @Nullable String moderationReason, @Nullable Instant moderationExpiresAt) {}
