package io.iploop.server.usage;

import java.util.Set;
import java.util.UUID;

/**
 * A {@link NodeTraffic} row with the ids of the distinct customers whose streams it carried: for
 * server-side lookups only (the customers' categories, docs/operator-transparency.md#customer-categories).
 * Never serialize it or show {@code customerIds} to an operator: operators see categories, never
 * identities. Immutable.
 *
 * @param traffic the row as operators see it
 * @param customerIds the distinct user ids (account ids) of the customers, {@code traffic.customers()} of them
 */
public record NodeTrafficCustomers(NodeTraffic traffic, Set<UUID> customerIds) {

    public NodeTrafficCustomers {
        customerIds = Set.copyOf(customerIds);
    }
}
