package io.iploop.server.nodes;

import java.util.List;
import java.util.Set;
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
     * Records a ban or quarantine decided by an auto-ban rule (docs/moderation.md#auto-ban-rules), with
     * no admin behind it: validated exactly like {@link #moderate}, stored with no author but the rule
     * ({@link NodeModeration#rule()}), in force at once through the same gateway path, and audited as
     * {@code node_moderated} with no user and {@code actor=system}, {@code rule} in the details.
     * Joins the caller's transaction, if any.
     *
     * @param rule the rule's name, 1-40 characters, e.g. {@code quality}
     * @throws NodesException {@code INVALID_MODERATION} (400) naming the bad field, as {@link #moderate}
     * @throws IllegalArgumentException for a blank or longer rule name (a programming error)
     */
    NodeModeration moderateByRule(String rule, NewNodeModeration request);

    /** Every node under a ban or quarantine in force now (any scope), connected or not. */
    Set<UUID> moderatedNodeIds();

    /**
     * The quality the server knows of each connected node its owner has not removed: the score the
     * gateway last reported (docs/exit-quality.md#score) and how many streams it has ever opened.
     * Ordered by node id.
     */
    List<NodeQualityReading> connectedNodeQuality();

    /**
     * The connected nodes by quality band and the {@code lowest} measured ones with the lowest scores,
     * for the admin supply page (docs/exit-quality.md#where-it-shows). One query over the connected
     * nodes; read-only.
     *
     * @param lowest how many of the lowest-scoring nodes to list, 0-100
     * @throws IllegalArgumentException for {@code lowest} outside 0-100
     */
    NodeQualityOverview connectedQualityOverview(int lowest);

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
