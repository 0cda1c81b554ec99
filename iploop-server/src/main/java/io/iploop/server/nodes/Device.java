package io.iploop.server.nodes;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A node as its operator manages it on the earn dashboard (docs/product/earn.md#earn-dashboard). Immutable.
 *
 * @param id nodes.id, the id the earn API uses
 * @param deviceId the agent's persistent device id
 * @param name the operator's name for it, or null (the dashboard then shows the device id)
 * @param installMethod {@code docker}, {@code linux}, {@code windows}, {@code macos},
 *     {@code android}, or null before the agent registered
 * @param nodeVersion the agent's version, or null
 * @param online connected to this process's gateway now
 * @param paused the operator paused sharing: connected or not, it gets no new streams
 * @param localExit the platform's own local exit; it earns nothing
 * @param connectedSince start of the current connection, null while offline
 * @param lastHeartbeat last time the gateway heard from it, null if never
 * @param removedAt when the operator removed it, or null
 * @param lastIdClashAt when the hub last refused a second agent with this device id (a copied disk or
 *     volume; the established session kept serving), or null if never
 * @param lastIdClashFrom that refused agent's public address, or null
 * @param moderation an admin's (or an auto-ban rule's) moderation in force on the node
 *     (docs/moderation.md): {@code ban} (disconnected and refused) or {@code quarantine} (connected,
 *     never selected), or null
 * @param moderationReason its reason as written for the owner, or null
 * @param moderationExpiresAt when it ends by itself, or null (none in force, or until lifted)
 */
public record Device(UUID id, String deviceId, UUID ownerId, @Nullable String name, @Nullable String installMethod,
        @Nullable String nodeVersion, @Nullable String platform, @Nullable String country, @Nullable String city,
        boolean online, boolean paused, boolean localExit, @Nullable Instant connectedSince,
        @Nullable Instant lastHeartbeat, Instant createdAt, @Nullable Instant removedAt,
        @Nullable Instant lastIdClashAt, @Nullable String lastIdClashFrom, @Nullable String moderation,
        @Nullable String moderationReason, @Nullable Instant moderationExpiresAt) {

    /** {@code paused}, {@code online} or {@code offline}, as the devices page shows it. */
    public String status() {
        return paused ? "paused" : online ? "online" : "offline";
    }

    /** Online and not paused: the node can carry traffic now. */
    public boolean sharing() {
        return online && !paused;
    }
}
