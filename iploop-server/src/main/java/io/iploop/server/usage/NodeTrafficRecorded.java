package io.iploop.server.usage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Metered bytes per exit node and customer account of one stored usage batch (published once per
 * batch, inside the transaction that inserted the records, and only for records not stored before,
 * like {@link UsageRecorded}). The earn feature turns it into bandwidth contributions in the same
 * transaction, so a node's contributions equal the bytes of its usage records: counted once or not
 * at all. The customer is carried so that earn credits only traffic someone else paid for
 * (docs/earn-fraud.md). Records without a node (no exit reached) are not in it. Immutable.
 *
 * @param traffic one entry per (node, customer) pair of the batch, bytes above zero
 */
public record NodeTrafficRecorded(List<Traffic> traffic) {

    public NodeTrafficRecorded {
        traffic = List.copyOf(traffic);
    }

    /**
     * Bytes one customer account sent through one node in the batch.
     *
     * @param nodeId nodes.id of the exit
     * @param customerId users.id of the account whose proxy credentials carried the bytes
     * @param bytes both directions, above zero
     */
    public record Traffic(UUID nodeId, UUID customerId, long bytes) {}

    /** nodes.id to bytes carried in this batch, all customers together. */
    public Map<UUID, Long> bytesByNode() {
        Map<UUID, Long> out = new LinkedHashMap<>();
        traffic.forEach(t -> out.merge(t.nodeId(), t.bytes(), Long::sum));
        return out;
    }
}
