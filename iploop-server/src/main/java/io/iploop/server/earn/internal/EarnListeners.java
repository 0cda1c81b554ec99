package io.iploop.server.earn.internal;

import io.iploop.server.accounts.AccountRegistered;
import io.iploop.server.nodes.Device;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.usage.NodeTrafficRecorded;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Earn's side of other features' events, run synchronously inside the publisher's transaction:
 * bandwidth contributions from stored usage batches (docs/product/earn.md#credit-calculation; exact because a batch is
 * stored once or not at all, and so are its contributions) and referrals from registrations
 * (docs/product/earn.md#referrals). Thread-safe.
 */
@Component
class EarnListeners {

    private final EarnRepository repo;
    private final NodesService nodes;
    private final DefaultEarnService earn;

    EarnListeners(EarnRepository repo, NodesService nodes, DefaultEarnService earn) {
        this.repo = repo;
        this.nodes = nodes;
        this.earn = earn;
    }

    /** One contribution per node of the batch; the platform's local exit earns nothing. */
    @EventListener
    void on(NodeTrafficRecorded traffic) {
        Map<UUID, Device> devices = nodes.devicesById(traffic.bytesByNode().keySet());
        List<EarnRepository.Contribution> rows = new ArrayList<>();
        traffic.bytesByNode().forEach((nodeId, bytes) -> {
            Device d = devices.get(nodeId);
            if (d != null && !d.localExit() && bytes > 0) {
                rows.add(new EarnRepository.Contribution(nodeId, d.ownerId(), bytes));
            }
        });
        if (!rows.isEmpty()) {
            repo.insertContributions(rows);
        }
    }

    /** A referral code and sign-up bonus; an unknown code rolls the registration back (400, field ref). */
    @EventListener
    void on(AccountRegistered registered) {
        earn.registered(registered.userId(), registered.referralCode());
    }
}
