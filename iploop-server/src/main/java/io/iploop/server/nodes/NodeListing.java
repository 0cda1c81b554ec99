package io.iploop.server.nodes;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/nodes} (docs/product/dashboard.md#overview): {@code { nodes, nodeCount, stats, health, timestamp }}
 * plus pagination: {@code nodes} is one page of the nodes matching the filter. Immutable.
 *
 * @param nodeCount nodes on this page
 * @param total nodes matching the filter, all pages
 * @param stats over every node in scope, unfiltered
 */
public record NodeListing(List<NodeView> nodes, int nodeCount, long total, int page, int limit, NodeStats stats,
        Health health, Instant timestamp) {

    public NodeListing {
        nodes = List.copyOf(nodes);
    }

    /**
     * @param status {@code healthy} while the gateway runs, else {@code unavailable}
     * @param connectedNodes nodes connected now, all owners
     */
    public record Health(String status, int connectedNodes) {}
}
