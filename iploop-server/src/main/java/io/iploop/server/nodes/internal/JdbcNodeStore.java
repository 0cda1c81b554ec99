package io.iploop.server.nodes.internal;

import io.iploop.gateway.spi.NodeStore;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * The gateway's {@link NodeStore}: node status and counters in {@code nodes} (counters in bytes).
 * Called from one gateway thread; blocks on the database; thread-safe anyway.
 */
@Component
class JdbcNodeStore implements NodeStore {

    private final NodeRepository nodes;

    JdbcNodeStore(NodeRepository nodes) {
        this.nodes = nodes;
    }

    @Override
    public void connected(UUID nodeId, String ipAddress, Instant at) {
        nodes.connected(nodeId, JdbcNodeAuthenticator.ipLiteral(ipAddress), at);
    }

    @Override
    public void idClash(UUID nodeId, String ipAddress, Instant at) {
        nodes.idClash(nodeId, JdbcNodeAuthenticator.ipLiteral(ipAddress), at);
    }

    @Override
    public void disconnected(UUID nodeId, Instant at) {
        nodes.disconnected(nodeId);
    }

    @Override
    public void addCounters(List<NodeCounters> deltas) {
        if (!deltas.isEmpty()) {
            nodes.addCounters(deltas);
        }
    }

    @Override
    public Set<UUID> pausedNodeIds() {
        return nodes.pausedIds();
    }
}
