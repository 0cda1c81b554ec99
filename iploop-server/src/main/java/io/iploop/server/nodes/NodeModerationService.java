package io.iploop.server.nodes;

import java.util.List;
import java.util.UUID;

/**
 * Admin moderation of exit nodes (docs/moderation.md): bans and quarantines by node, owner, CIDR or
 * ASN, with a reason and an optional expiry. The gateway reads what is in force about once a second
 * (through the nodes feature's {@code NodeStore}): a banned node's session is closed and its HELLO
 * refused, a quarantined node is never selected. Every change is audited. Thread-safe.
 */
public interface NodeModerationService {

    /**
     * Records a ban or quarantine, in force at once.
     *
     * @param adminId the acting admin (audited)
     * @throws NodesException {@code INVALID_MODERATION} (400) naming the bad field ({@code action},
     *     {@code scope}, {@code target}, {@code reason}, {@code expiresAt}); a node or owner that does
     *     not exist is a bad {@code target}
     */
    NodeModeration moderate(UUID adminId, NewNodeModeration request);

    /**
     * Moderations, newest first, at most 500.
     *
     * @param activeOnly only those in force now (not lifted, not expired)
     */
    List<NodeModeration> list(boolean activeOnly);

    /**
     * Lifts a moderation: from the next gateway refresh (about a second) its nodes may serve again; a
     * banned agent reconnects by itself. Lifting twice is harmless (the first lift is kept). Audited.
     *
     * @throws NodesException {@code MODERATION_NOT_FOUND} (404)
     */
    NodeModeration lift(UUID adminId, UUID moderationId);
}
