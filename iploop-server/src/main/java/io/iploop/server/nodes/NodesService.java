package io.iploop.server.nodes;

import java.util.List;
import java.util.UUID;

/**
 * The nodes feature's public API (seed 001 §7.4, seed 000 §7.2). Node rows belong to the operator
 * whose key admitted them; listings are scoped to the caller's own nodes unless the caller is an
 * admin. Location counts are network-wide and public. Thread-safe.
 */
public interface NodesService {

    /** Node key format: this prefix plus 48 lowercase hex characters. */
    String NODE_KEY_PREFIX = "ipn_";

    /** The caller's nodes (all nodes for an admin) merged with the live view. */
    NodeListing list(UUID callerId, boolean admin);

    /** Statistics over the same scope as {@link #list}. */
    NodeStats stats(UUID callerId, boolean admin);

    /** Countries and cities with connected nodes. */
    Locations locations();

    /** Issues a node key to {@code userId}, promoting a customer to operator. */
    IssuedNodeKey issueNodeKey(UUID userId, String name);

    /** The user's node keys, newest first. */
    List<NodeKey> nodeKeys(UUID userId);

    /**
     * Marks every node not connected, at gateway start: rows left {@code available} by a crash are
     * stale. (One gateway per database for now; with several gateways this becomes per-gateway.)
     */
    void markAllOffline();
}
