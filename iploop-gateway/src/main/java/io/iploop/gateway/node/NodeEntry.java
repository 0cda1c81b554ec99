package io.iploop.gateway.node;

import io.iploop.gateway.spi.ConnectedNode;
import io.iploop.gateway.spi.LocationKeys;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.tunnel.Hello;
import io.iploop.tunnel.PortPolicy;
import io.iploop.tunnel.TunnelSession;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
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
    /** {@link LocationKeys#name} of the admission's ISP. */
    final @Nullable String ispKey;
    /** {@link LocationKeys#postalCode} of the admission's postal code. */
    final @Nullable String zipKey;
    /** The destination ports the agent opens, from its HELLO (all for older agents; docs/protocol.md §4.1). */
    final PortPolicy allowedPorts;
    /** Measured at this gateway; shared with the node's earlier connections (docs/exit-quality.md). */
    final NodeQuality quality;

    static final int NOT_INDEXED = 0;
    static final int INDEXED = 1;
    static final int REMOVED = 2;
    /** Position in each {@link NodeIndex} bucket by kind ordinal, guarded by that bucket's lock. */
    final int[] slots = new int[NodeIndex.KINDS];
    /** {@link #NOT_INDEXED}, {@link #INDEXED} or {@link #REMOVED}; guarded by this entry's monitor. */
    int indexState = NOT_INDEXED;

    final AtomicLong bytesTotal = new AtomicLong();
    /** Streams of this node kept idle for reuse ({@link IdleExitStreams}), bounded per node. */
    final AtomicInteger idleStreams = new AtomicInteger();
    final AtomicLong bytesReported = new AtomicLong();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong requestsReported = new AtomicLong();
    final AtomicLong successes = new AtomicLong();
    final AtomicLong successesReported = new AtomicLong();
    /** The quality score last stored, -1 before the first; store thread only. */
    int scoreReported = -1;
    /** The quality figures last stored, null before the first; store thread only. */
    io.iploop.gateway.spi.NodeStore.@Nullable QualityFigures figuresReported;

    NodeEntry(TunnelSession session, NodeAdmission.Admitted admission, Hello hello, String remoteAddress, boolean localExit,
            NodeQuality quality) {
        this.session = session;
        this.quality = quality;
        this.admission = admission;
        this.hello = hello;
        this.allowedPorts = hello.allowedPorts();
        this.remoteAddress = remoteAddress;
        this.localExit = localExit;
        this.connectedSince = Instant.now();
        this.countryKey = admission.country() == null ? null : admission.country().toUpperCase(Locale.ROOT);
        this.regionKey = LocationKeys.name(admission.region());
        this.cityKey = LocationKeys.name(admission.city());
        this.ispKey = LocationKeys.name(admission.isp());
        this.zipKey = LocationKeys.postalCode(admission.postalCode());
    }

    UUID nodeId() {
        return admission.nodeId();
    }

    ConnectedNode snapshot() {
        return new ConnectedNode(nodeId(), hello.deviceId(), admission.ownerUserId(), admission.country(), admission.region(),
                admission.city(), admission.asn(), admission.isp(), admission.connectionType(), hello.platform(),
                hello.deviceName(), hello.agentVersion(), remoteAddress, localExit, connectedSince, session.activeStreams(),
                bytesTotal.get());
    }
}
