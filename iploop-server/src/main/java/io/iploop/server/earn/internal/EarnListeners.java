package io.iploop.server.earn.internal;

import io.iploop.server.accounts.AccountRegistered;
import io.iploop.server.nodes.Device;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.usage.NodeTrafficRecorded;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Earn's side of other features' events, run synchronously inside the publisher's transaction:
 * bandwidth contributions from stored usage batches (exact because a batch is stored once or not at
 * all, and so are its contributions; each classified by who paid for it, docs/earn-fraud.md) and
 * referrals and sign-up evidence from registrations. Thread-safe.
 */
@Component
class EarnListeners {

    private final EarnRepository repo;
    private final NodesService nodes;
    private final DefaultEarnService earn;
    private final ContributionClassifier classifier;
    private final LinkedAccounts links;

    EarnListeners(EarnRepository repo, NodesService nodes, DefaultEarnService earn, ContributionClassifier classifier,
            LinkedAccounts links) {
        this.repo = repo;
        this.nodes = nodes;
        this.earn = earn;
        this.classifier = classifier;
        this.links = links;
    }

    /**
     * One contribution per node and customer of the batch, with how the customer paid for it; the
     * platform's local exit earns nothing.
     */
    @EventListener
    void on(NodeTrafficRecorded traffic) {
        Map<UUID, Device> devices = nodes.devicesById(traffic.bytesByNode().keySet());
        Map<UUID, Long> bytesByCustomer = new HashMap<>();
        traffic.traffic().forEach(t -> bytesByCustomer.merge(t.customerId(), t.bytes(), Long::sum));
        Map<List<UUID>, ContributionPayment> decided = new HashMap<>();
        List<EarnRepository.Contribution> rows = new ArrayList<>();
        for (NodeTrafficRecorded.Traffic t : traffic.traffic()) {
            Device d = devices.get(t.nodeId());
            if (d != null && !d.localExit() && t.bytes() > 0) {
                ContributionPayment payment = decided.computeIfAbsent(List.of(t.customerId(), d.ownerId()),
                        k -> classifier.classify(t.customerId(), d.ownerId(), bytesByCustomer.get(t.customerId())));
                rows.add(new EarnRepository.Contribution(t.nodeId(), d.ownerId(), t.bytes(), t.customerId(), payment));
            }
        }
        if (!rows.isEmpty()) {
            repo.insertContributions(rows);
        }
        // Paid proxy usage qualifies the customer's own referral (docs/earn-fraud.md).
        rows.stream().filter(r -> r.payment() == ContributionPayment.PAID).map(EarnRepository.Contribution::customerId)
                .distinct().forEach(earn::qualifyReferral);
    }

    /**
     * Sign-up evidence, a referral code and sign-up bonus of a self-registration; an unknown code rolls
     * the registration back (400, field ref). Accounts made by an admin or at first start are not sign-ups.
     */
    @EventListener
    void on(AccountRegistered registered) {
        if (!registered.selfRegistered()) {
            return;
        }
        links.signedUp(registered.userId(), registered.clientIp());
        earn.registered(registered.userId(), registered.referralCode());
    }
}
