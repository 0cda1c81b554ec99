package io.iploop.server.earn.internal;

import io.iploop.server.accounts.AccountRegistered;
import io.iploop.server.nodes.Device;
import io.iploop.server.nodes.NodesService;
import io.iploop.server.usage.NodeTrafficRecorded;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
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
    private final SharingState sharing;
    private final Clock clock;

    EarnListeners(EarnRepository repo, NodesService nodes, DefaultEarnService earn, ContributionClassifier classifier,
            LinkedAccounts links, SharingState sharing, Clock clock) {
        this.repo = repo;
        this.nodes = nodes;
        this.earn = earn;
        this.classifier = classifier;
        this.links = links;
        this.sharing = sharing;
        this.clock = clock;
    }

    /**
     * One contribution per node and customer of the batch, with how the customer paid for it and the
     * multipliers' inputs as they are now, while the bytes are carried (each interval is priced by
     * its own state, docs/product/earn.md#credit-calculation); the platform's local exit earns nothing.
     */
    @EventListener
    void on(NodeTrafficRecorded traffic) {
        Map<UUID, Device> devices = nodes.devicesById(traffic.bytesByNode().keySet());
        Map<UUID, MultiplierInputs> inputs = inputs(devices.values().stream().filter(d -> !d.localExit()).toList());
        Map<UUID, Long> bytesByCustomer = new HashMap<>();
        traffic.traffic().forEach(t -> bytesByCustomer.merge(t.customerId(), t.bytes(), Long::sum));
        Map<List<UUID>, ContributionPayment> decided = new HashMap<>();
        List<EarnRepository.Contribution> rows = new ArrayList<>();
        for (NodeTrafficRecorded.Traffic t : traffic.traffic()) {
            Device d = devices.get(t.nodeId());
            if (d != null && !d.localExit() && t.bytes() > 0) {
                ContributionPayment payment = decided.computeIfAbsent(List.of(t.customerId(), d.ownerId()),
                        k -> classifier.classify(t.customerId(), d.ownerId(), bytesByCustomer.get(t.customerId())));
                rows.add(new EarnRepository.Contribution(t.nodeId(), d.ownerId(), t.bytes(), t.customerId(), payment,
                        inputs.get(t.nodeId())));
            }
        }
        if (!rows.isEmpty()) {
            repo.insertContributions(rows);
        }
        // Paid proxy usage qualifies the customer's own referral (docs/earn-fraud.md).
        rows.stream().filter(r -> r.payment() == ContributionPayment.PAID).map(EarnRepository.Contribution::customerId)
                .distinct().forEach(earn::qualifyReferral);
    }

    /** The multipliers' inputs of each device now (docs/earn-fraud.md: evidence only). */
    private Map<UUID, MultiplierInputs> inputs(List<Device> carrying) {
        if (carrying.isEmpty()) {
            return Map.of();
        }
        SharingState.Snapshot snap = sharing.read(clock.instant());
        Set<UUID> owners = carrying.stream().map(Device::ownerId).collect(Collectors.toSet());
        Map<UUID, Instant> uptime = sharing.longestUptimeByOwner(snap, sharing.uptimeByNode(snap, owners));
        Map<UUID, String> countries = sharing.countries(snap, carrying.stream().map(Device::id).toList());
        Map<UUID, MultiplierInputs> out = new HashMap<>();
        for (Device d : carrying) {
            String country = countries.get(d.id());
            out.put(d.id(), new MultiplierInputs(snap.countedDevices(d.ownerId()), country,
                    country == null ? null : snap.inCountry(country), uptime.get(d.ownerId())));
        }
        return out;
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
