package io.iploop.server.earn.internal;

import io.iploop.gateway.spi.ConnectedNode;
import io.iploop.server.nodes.LiveNodes;
import io.iploop.server.nodes.NodeEvidence;
import io.iploop.server.nodes.NodesService;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Who shares at one instant: the inputs of the multipliers (docs/product/earn.md#multipliers), read
 * from the platform's own evidence only (docs/earn-fraud.md): devices count by distinct network of
 * the address the gateway saw, countries come from GeoIP of that address, never from what agents
 * claim. One definition used at the three places that need it: when bytes are carried (recorded with
 * each contribution, so each interval is priced by its own state), when the credit job runs (uptime
 * bookkeeping and rows recorded before inputs were), and for the "multipliers now" view. Thread-safe.
 */
@Component
class SharingState {

    private final NodesService nodes;
    private final LiveNodes live;
    private final NodeEvidence evidence;
    private final EarnRepository repo;

    SharingState(NodesService nodes, LiveNodes live, NodeEvidence evidence, EarnRepository repo) {
        this.nodes = nodes;
        this.live = live;
        this.evidence = evidence;
        this.repo = repo;
    }

    /**
     * The sharing nodes at {@code at}: connected, not the platform's local exit, not paused.
     *
     * @param networksByOwner distinct networks (/24, /48) each owner's sharing devices connect from
     * @param nodesByCountry sharing nodes per GeoIP country
     * @param countryByNode GeoIP country of each sharing node that has one
     */
    record Snapshot(Instant at, List<ConnectedNode> sharing, Map<UUID, Set<String>> networksByOwner,
            Map<String, Long> nodesByCountry, Map<UUID, String> countryByNode) {

        /** The owner's sharing devices as the multi-device bonus counts them (distinct networks). */
        int countedDevices(UUID owner) {
            Set<String> n = networksByOwner.get(owner);
            return n == null ? 0 : n.size();
        }

        long inCountry(@Nullable String country) {
            return country == null ? 0 : nodesByCountry.getOrDefault(country, 0L);
        }
    }

    /** Reads who shares now; in memory apart from the paused set (one indexed query). */
    Snapshot read(Instant at) {
        Set<UUID> paused = nodes.pausedNodeIds();
        List<ConnectedNode> sharing = live.connected().stream()
                .filter(c -> !c.localExit() && !paused.contains(c.nodeId())).toList();
        Map<UUID, Set<String>> networks = new HashMap<>();
        Map<String, Long> byCountry = new HashMap<>();
        Map<UUID, String> countryByNode = new HashMap<>();
        for (ConnectedNode c : sharing) {
            networks.computeIfAbsent(c.ownerUserId(), k -> new HashSet<>()).add(CreditMath.network(c.remoteAddress()));
            String country = verifiedCountry(c.remoteAddress());
            if (country != null) {
                byCountry.merge(country, 1L, Long::sum);
                countryByNode.put(c.nodeId(), country);
            }
        }
        return new Snapshot(at, sharing, networks, byCountry, countryByNode);
    }

    /**
     * The GeoIP country of each node: of the address it is connected from when it shares, else of the
     * address it last connected from; absent without evidence.
     */
    Map<UUID, String> countries(Snapshot snap, Collection<UUID> nodeIds) {
        Map<UUID, String> out = new HashMap<>();
        List<UUID> rest = new java.util.ArrayList<>();
        for (UUID id : nodeIds) {
            String c = snap.countryByNode().get(id);
            if (c != null) {
                out.put(id, c);
            } else {
                rest.add(id);
            }
        }
        if (!rest.isEmpty() && evidence.geoIpEnabled()) {
            evidence.lastAddresses(rest).forEach((id, address) -> {
                String c = verifiedCountry(address);
                if (c != null) {
                    out.put(id, c);
                }
            });
        }
        return out;
    }

    /**
     * Where each sharing device's continuous uptime starts, for the devices of {@code owners}
     * (docs/product/earn.md#uptime-bonus); reads their recorded state, writes nothing.
     */
    Map<UUID, Instant> uptimeByNode(Snapshot snap, Set<UUID> owners) {
        List<ConnectedNode> mine = snap.sharing().stream().filter(c -> owners.contains(c.ownerUserId())).toList();
        Map<UUID, EarnRepository.DeviceState> states = repo.states(mine.stream().map(ConnectedNode::nodeId).toList());
        Map<UUID, Instant> out = new HashMap<>();
        for (ConnectedNode c : mine) {
            EarnRepository.DeviceState s = states.get(c.nodeId());
            out.put(c.nodeId(), CreditMath.uptimeSince(s == null ? null : s.uptimeSince(),
                    s == null ? null : s.lastSeenAt(), c.connectedSince()));
        }
        return out;
    }

    /** The earliest uptime start per owner among {@code uptimeByNode}: what the uptime bonus uses. */
    Map<UUID, Instant> longestUptimeByOwner(Snapshot snap, Map<UUID, Instant> uptimeByNode) {
        Map<UUID, Instant> out = new HashMap<>();
        for (ConnectedNode c : snap.sharing()) {
            Instant since = uptimeByNode.get(c.nodeId());
            if (since != null) {
                out.merge(c.ownerUserId(), since, (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        return out;
    }

    boolean geoIpEnabled() {
        return evidence.geoIpEnabled();
    }

    /** The GeoIP country of an address as the gateway reports it, or null (no database, unknown address). */
    @Nullable String verifiedCountry(@Nullable String address) {
        if (address == null || !evidence.geoIpEnabled()) {
            return null;
        }
        String ip = address.strip();
        if (ip.startsWith("/")) {
            ip = ip.substring(1);
        }
        // InetSocketAddress#toString forms ("/1.2.3.4:567", "/[::1]:567") carry a port.
        if (ip.startsWith("[")) {
            ip = ip.substring(1, Math.max(1, ip.indexOf(']')));
        } else if (ip.contains(".") && ip.indexOf(':') > 0 && ip.indexOf(':') == ip.lastIndexOf(':')) {
            ip = ip.substring(0, ip.indexOf(':'));
        }
        return evidence.locate(ip).map(NodeEvidence.VerifiedLocation::country).orElse(null);
    }
}
