package io.iploop.gateway.node;

import io.iploop.gateway.spi.NodeAdmission;
import io.iploop.tunnel.Hello;
import io.iploop.tunnel.TunnelSession;
import io.iploop.tunnel.TunnelSettings;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** Node entries without a network: a gateway-side session that never connected (not suspect). */
final class TestNodes {

    static final UUID OWNER = UUID.fromString("00000000-0000-0000-0000-00000000000a");

    private TestNodes() {}

    static NodeEntry node(@Nullable String country, @Nullable String region, @Nullable String city, int asn,
            @Nullable String isp, @Nullable String zip) {
        TunnelSession session = TunnelSession.gatewaySide(TunnelSettings.DEFAULTS, new TunnelSession.GatewayListener() {
            @Override
            public void onHello(TunnelSession s, Hello hello) {}

            @Override
            public void onClosed(TunnelSession s) {}
        });
        UUID id = UUID.randomUUID();
        Hello hello = new Hello(2, "key", "dev-" + id, null, null, null, country, region, city, asn, isp, "wifi", false);
        return new NodeEntry(session, new NodeAdmission.Admitted(id, OWNER, country, region, city, asn, isp, "wifi", zip),
                hello, "192.0.2.1", false, new NodeQuality());
    }

    static NodeEntry node(String country) {
        return node(country, null, null, 0, null, null);
    }

    /** Feeds {@code streams} stream outcomes: each a success with the given figures, or a failure blamed on nothing in particular. */
    static NodeEntry measured(NodeEntry e, int streams, double successShare, long ttfbMillis, double mbps) {
        for (int i = 0; i < streams; i++) {
            if ((i + 1) * successShare >= Math.floor(i * successShare) + 1) {
                e.quality.openSucceeded();
            } else {
                e.quality.failed(NodeQuality.Cause.DROPPED, 0);
            }
            e.quality.firstByte(TimeUnit.MILLISECONDS.toNanos(ttfbMillis));
            long bytes = 1 << 20;
            e.quality.transferred(bytes, (long) (bytes * 8_000.0 / mbps));
        }
        return e;
    }
}
