package io.iploop.server.nodes;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Real-time IP inventory by location (docs/product/nodes.md#locations-and-inventory {@code GET /api/proxy/inventory}): the nodes
 * connected now, grouped by country, city, ASN, ISP and connection type, largest groups first.
 * Immutable.
 *
 * @param totalNodes nodes connected now (in the requested country, if one was given)
 * @param idleNodes of those, nodes carrying no customer stream now
 */
public record Inventory(int totalNodes, int idleNodes, List<Entry> entries, Instant timestamp) {

    public Inventory {
        entries = List.copyOf(entries);
    }

    /** One group of connected nodes sharing a location and network; unknown fields are null (ASN 0). */
    public record Entry(@Nullable String country, @Nullable String city, int asn, @Nullable String isp,
            @Nullable String connectionType, int nodes, int idleNodes) {}
}
