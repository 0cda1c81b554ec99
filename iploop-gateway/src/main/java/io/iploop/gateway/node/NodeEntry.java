package io.iploop.gateway.node;

import io.iploop.gateway.spi.ConnectedNode;
import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.tunnel.Hello;
import io.iploop.tunnel.PortPolicy;
import io.iploop.tunnel.TunnelSession;
import java.text.Normalizer;
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
    /** {@link #ispKey(String)} of the admission's ISP. */
    final @Nullable String ispKey;
    /** {@link #zipKey(String)} of the admission's postal code. */
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
        this.regionKey = placeKey(admission.region());
        this.cityKey = placeKey(admission.city());
        this.ispKey = ispKey(admission.isp());
        this.zipKey = zipKey(admission.postalCode());
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

    /**
     * The form ISPs are matched in (docs/product/proxy.md#targeting-parameters): accents removed,
     * lower case, every run of other characters than ASCII letters and digits one {@code _}, none
     * at the ends, so "AT&amp;T Services, Inc." is {@code at_t_services_inc} and "Telefónica" is
     * {@code telefonica}; null when nothing is left.
     */
    static @Nullable String ispKey(@Nullable String isp) {
        if (isp == null) {
            return null;
        }
        String plain = Normalizer.normalize(isp, Normalizer.Form.NFD);
        StringBuilder sb = new StringBuilder(plain.length());
        boolean gap = false;
        for (int i = 0; i < plain.length(); i++) {
            char c = Character.toLowerCase(plain.charAt(i));
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                if (gap && !sb.isEmpty()) {
                    sb.append('_');
                }
                gap = false;
                sb.append(c);
            } else if (Character.getType(c) != Character.NON_SPACING_MARK) {
                gap = true;
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    /** The form postal codes are matched in: ASCII letters and digits only, upper case ({@code sw1a 1aa} is {@code SW1A1AA}); null when none. */
    static @Nullable String zipKey(@Nullable String zip) {
        if (zip == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(zip.length());
        for (int i = 0; i < zip.length(); i++) {
            char c = Character.toUpperCase(zip.charAt(i));
            if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                sb.append(c);
            }
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    ConnectedNode snapshot() {
        return new ConnectedNode(nodeId(), hello.deviceId(), admission.ownerUserId(), admission.country(), admission.region(),
                admission.city(), admission.asn(), admission.isp(), admission.connectionType(), hello.platform(),
                hello.deviceName(), hello.agentVersion(), remoteAddress, localExit, connectedSince, session.activeStreams(),
                bytesTotal.get());
    }
}
