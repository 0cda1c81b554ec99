package io.iploop.gateway.node;

import io.iploop.gateway.spi.ConnectedNode;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.tunnel.Hello;
import io.iploop.tunnel.TunnelSession;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One admitted node: its session, effective location (normalized for matching), traffic
 * counters and measured quality. Immutable but for the counters, which are atomic, and the
 * quality, which is thread-safe itself; thread-safe.
 */
final class NodeEntry {

    final TunnelSession session;
    final NodeAdmission.Admitted admission;
    final Hello hello;
    final String remoteAddress;
    final boolean localExit;
    final Instant connectedSince;
    final @Nullable String countryKey;
    final @Nullable String regionKey;
    final @Nullable String cityKey;
    /** Measured at this gateway; shared with the node's earlier connections (docs/exit-quality.md). */
    final NodeQuality quality;

    final AtomicLong bytesTotal = new AtomicLong();
    final AtomicLong bytesReported = new AtomicLong();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong requestsReported = new AtomicLong();
    final AtomicLong successes = new AtomicLong();
    final AtomicLong successesReported = new AtomicLong();

    NodeEntry(TunnelSession session, NodeAdmission.Admitted admission, Hello hello, String remoteAddress, boolean localExit,
            NodeQuality quality) {
        this.session = session;
        this.quality = quality;
        this.admission = admission;
        this.hello = hello;
        this.remoteAddress = remoteAddress;
        this.localExit = localExit;
        this.connectedSince = Instant.now();
        this.countryKey = admission.country() == null ? null : admission.country().toUpperCase(Locale.ROOT);
        this.regionKey = placeKey(admission.region());
        this.cityKey = placeKey(admission.city());
    }

    UUID nodeId() {
        return admission.nodeId();
    }

    /**
     * The form places are matched in: lower case, spaces and hyphens as underscores, so
     * {@code city-new_york} matches a node in "New York" (docs/product/proxy.md#targeting-parameters).
     */
    static @Nullable String placeKey(@Nullable String place) {
        if (place == null || place.isBlank()) {
            return null;
        }
        return place.strip().toLowerCase(Locale.ROOT).replace(' ', '_').replace('-', '_');
    }

    ConnectedNode snapshot() {
        return new ConnectedNode(nodeId(), hello.deviceId(), admission.ownerUserId(), admission.country(), admission.region(),
                admission.city(), admission.asn(), admission.isp(), admission.connectionType(), hello.platform(),
                hello.deviceName(), hello.agentVersion(), remoteAddress, localExit, connectedSince, session.activeStreams(),
                bytesTotal.get());
    }
}
