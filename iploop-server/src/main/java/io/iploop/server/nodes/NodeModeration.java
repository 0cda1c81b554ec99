package io.iploop.server.nodes;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One admin moderation of exit nodes (docs/moderation.md). Immutable.
 *
 * @param action {@code ban} (matching nodes are disconnected and refused) or {@code quarantine}
 *     (they stay connected but are never selected)
 * @param scope {@code node}, {@code owner}, {@code cidr} or {@code asn}: which of the target fields is set
 * @param nodeId the node, for scope {@code node}
 * @param ownerUserId the owner whose every node it covers, for scope {@code owner}
 * @param cidr the address range in CIDR notation, for scope {@code cidr}
 * @param asn the autonomous system number, for scope {@code asn}
 * @param expiresAt when it ends by itself, or null for never
 * @param liftedAt when an admin lifted it, or null
 * @param createdBy the admin who created it, or null when an auto-ban rule did
 * @param active in force now: not lifted and not expired
 * @param rule the auto-ban rule that created it (docs/moderation.md#auto-ban-rules), or null for an admin's
 */
public record NodeModeration(UUID id, String action, String scope, @Nullable UUID nodeId, @Nullable UUID ownerUserId,
        @Nullable String cidr, @Nullable Integer asn, String reason, @Nullable Instant expiresAt, @Nullable UUID createdBy,
        Instant createdAt, @Nullable Instant liftedAt, @Nullable UUID liftedBy, boolean active,
        @Nullable String rule) {}
