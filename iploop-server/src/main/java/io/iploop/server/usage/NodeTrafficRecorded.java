package io.iploop.server.usage;

import java.util.Map;
import java.util.UUID;

/**
 * Metered bytes per exit node of one stored usage batch (published once per batch, inside the
 * transaction that inserted the records, and only for records not stored before, like
 * {@link UsageRecorded}). The earn feature turns it into bandwidth contributions in the same
 * transaction, so a node's contributions equal the bytes of its usage records: counted once or not
 * at all. Records without a node (no exit reached) are not in it. Immutable.
 *
 * @param bytesByNode nodes.id to bytes carried in this batch, both directions, each above zero
 */
public record NodeTrafficRecorded(Map<UUID, Long> bytesByNode) {

    public NodeTrafficRecorded {
        bytesByNode = Map.copyOf(bytesByNode);
    }
}
