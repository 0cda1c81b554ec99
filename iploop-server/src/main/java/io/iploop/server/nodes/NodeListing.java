package io.iploop.server.nodes;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/nodes} (seed 001 §5.2): {@code { nodes, nodeCount, stats, health, timestamp }}.
 * Immutable.
 */
public record NodeListing(List<NodeView> nodes, int nodeCount, NodeStats stats, Health health, Instant timestamp) {

    public NodeListing {
        nodes = List.copyOf(nodes);
    }

    /**
     * @param status {@code healthy} while the gateway runs, else {@code unavailable}
     * @param connectedNodes nodes connected now, all owners
     */
    public record Health(String status, int connectedNodes) {}
}
