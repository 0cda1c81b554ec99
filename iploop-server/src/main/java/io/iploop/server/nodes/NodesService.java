package io.iploop.server.nodes;

import io.iploop.server.platform.v2.Paged;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The nodes feature's public API (seed 001 §7.4, seed 000 §7.2). Node rows belong to the operator
 * whose key admitted them; listings are scoped to the caller's own nodes unless the caller is an
 * admin. Location counts are network-wide and public. Thread-safe.
 */
public interface NodesService {

    /** Node key format: this prefix plus 48 lowercase hex characters. */
    String NODE_KEY_PREFIX = "ipn_";

    /** The first page of the caller's nodes; see {@link #list(UUID, boolean, NodeFilter)}. */
    default NodeListing list(UUID callerId, boolean admin) {
        return list(callerId, admin, NodeFilter.ALL);
    }

    /**
     * One page of the caller's nodes (all nodes for an admin) matching {@code filter} (seed 001
     * §5.3), merged with the live view, with statistics over the whole scope.
     */
    NodeListing list(UUID callerId, boolean admin, NodeFilter filter);

    /**
     * One page of the caller's nodes (all nodes for an admin) matching {@code filter}, filtered,
     * sorted and paged in SQL and merged with the live view, without the statistics {@link #list}
     * adds ({@code /api/v2/nodes}: the node table can be large).
     */
    Paged<NodeView> page(UUID callerId, boolean admin, NodeFilter filter);

    /** Statistics over the same scope as {@link #list}. */
    NodeStats stats(UUID callerId, boolean admin);

    /** Countries and cities with connected nodes. */
    Locations locations();

    /**
     * One country's cities with connected nodes; zero nodes for a valid country without any.
     *
     * @throws NodesException {@code INVALID_COUNTRY} unless {@code country} is ISO-3166 alpha-2
     */
    Locations.Country country(String country);

    /**
     * ISPs of one city with connected nodes; {@code city} in any case, spaces or underscores
     * (as targeted: {@code new_york}). @throws NodesException {@code INVALID_COUNTRY}
     */
    CityIsps isps(String country, String city);

    /**
     * Connected nodes grouped by location and network, in one country or (null) everywhere.
     * @throws NodesException {@code INVALID_COUNTRY}
     */
    Inventory inventory(@Nullable String country);

    /** Issues a node key to {@code userId}, promoting a customer to operator. */
    IssuedNodeKey issueNodeKey(UUID userId, String name);

    /** The user's node keys, newest first. */
    List<NodeKey> nodeKeys(UUID userId);

    /**
     * One of the user's node keys; another account's key behaves as if it did not exist (DESIGN §7).
     *
     * @throws NodesException {@code NODE_KEY_NOT_FOUND}
     */
    NodeKey nodeKey(UUID userId, UUID keyId);

    /**
     * Marks every node not connected, at gateway start: rows left {@code available} by a crash are
     * stale. (One gateway per database for now; with several gateways this becomes per-gateway.)
     */
    void markAllOffline();
}
