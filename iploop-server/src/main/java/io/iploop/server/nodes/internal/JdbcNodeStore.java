package io.iploop.server.nodes.internal;

import io.iploop.gateway.spi.NodeStore;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The gateway's {@link NodeStore}: node status and counters in {@code nodes} (counters in bytes).
 * Called from one gateway thread; blocks on the database; thread-safe anyway.
 */
@Component
class JdbcNodeStore implements NodeStore {

    private final NodeRepository nodes;
    private final NodeModerationRepository moderations;
    private final TrafficReconciliationRepository reconciliation;

    JdbcNodeStore(NodeRepository nodes, NodeModerationRepository moderations,
            TrafficReconciliationRepository reconciliation) {
        this.nodes = nodes;
        this.moderations = moderations;
        this.reconciliation = reconciliation;
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

    /**
     * Adds the deltas to the node totals and to the per-day gateway bytes of the agent byte
     * reconciliation (docs/operator-transparency.md#agent-byte-reconciliation), in one transaction:
     * the gateway retries a failed flush, so both are added or neither.
     */
    @Override
    @Transactional
    public void addCounters(List<NodeCounters> deltas) {
        if (!deltas.isEmpty()) {
            nodes.addCounters(deltas);
            reconciliation.addGatewayBytes(deltas);
        }
    }

    @Override
    public Set<UUID> pausedNodeIds() {
        Set<UUID> quarantined = moderations.connectedUnder("quarantine");
        if (quarantined.isEmpty()) {
            return nodes.pausedIds();
        }
        // Paused by their owners, or quarantined by an admin (docs/moderation.md): connected, never selected.
        Set<UUID> out = new HashSet<>(nodes.pausedIds());
        out.addAll(quarantined);
        return out;
    }

    /** Connected nodes banned by an admin or admitted with a since-revoked key (docs/moderation.md). */
    @Override
    public Set<UUID> evictedNodeIds() {
        Set<UUID> banned = moderations.connectedUnder("ban");
        Set<UUID> revoked = moderations.connectedWithRevokedKey();
        if (revoked.isEmpty()) {
            return banned;
        }
        Set<UUID> out = new HashSet<>(banned);
        out.addAll(revoked);
        return out;
    }
}
