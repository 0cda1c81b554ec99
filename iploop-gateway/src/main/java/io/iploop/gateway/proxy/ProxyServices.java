package io.iploop.gateway.proxy;

import io.iploop.gateway.auth.ProxyAuthCache;
import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.limits.Limits;
import io.iploop.gateway.metering.GatewayMetrics;
import io.iploop.gateway.metering.UsageBatcher;
import io.netty.channel.group.ChannelGroup;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What every customer connection needs from the gateway: the auth cache, plan limits, the exit
 * connector, metering, and the group of open customer channels (closed on shutdown). Thread-safe.
 *
 * @param handshakeTimeoutMillis deadline for an HTTP request head or the SOCKS5 handshake, from
 *     accept (or, between keep-alive requests, from the next request's first bytes), in ms
 * @param httpIdleTimeoutMillis idle keep-alive HTTP proxy connections are closed after this, in ms
 * @param halfClosedIdleTimeoutMillis a tunnel with one direction ended is closed after this long
 *     without a byte in the other, in ms (docs/protocol.md §4.6)
 * @param caps the per-IP and global customer connection caps shared by both listeners
 * @param interim interim usage records of open streams
 * @param revocation open tunnels per credentials, closed when the credentials stop being valid
 * @param poolPort the upstream-pool port this listener serves (docs/upstream-pool.md), 0 for the
 *     residential listeners; written into usage records
 * @param admission checks on top of the plan check ({@link ProxyAdmission#NONE} outside the pool)
 */
public record ProxyServices(
        ProxyAuthCache auth,
        Limits limits,
        ExitConnector exits,
        UsageBatcher usage,
        GatewayMetrics metrics,
        ChannelGroup customerChannels,
        AtomicLong connectionIds,
        long handshakeTimeoutMillis,
        long httpIdleTimeoutMillis,
        long halfClosedIdleTimeoutMillis,
        ConnectionCaps caps,
        InterimUsage interim,
        TunnelRevocation revocation,
        int poolPort,
        ProxyAdmission admission) {

    /** Services of a residential listener (no pool port, no extra admission). */
    public ProxyServices(ProxyAuthCache auth, Limits limits, ExitConnector exits, UsageBatcher usage, GatewayMetrics metrics,
            ChannelGroup customerChannels, AtomicLong connectionIds, long handshakeTimeoutMillis, long httpIdleTimeoutMillis,
            long halfClosedIdleTimeoutMillis, ConnectionCaps caps, InterimUsage interim, TunnelRevocation revocation) {
        this(auth, limits, exits, usage, metrics, customerChannels, connectionIds, handshakeTimeoutMillis,
                httpIdleTimeoutMillis, halfClosedIdleTimeoutMillis, caps, interim, revocation, 0, ProxyAdmission.NONE);
    }

    /**
     * These services for the upstream-pool port {@code port}: its own exits, limits (the pool does not
     * spend the residential plan) and admission, everything else shared.
     */
    public ProxyServices forPoolPort(int port, Limits poolLimits, ExitConnector portExits, ProxyAdmission poolAdmission) {
        return new ProxyServices(auth, poolLimits, portExits, usage, metrics, customerChannels, connectionIds,
                handshakeTimeoutMillis, httpIdleTimeoutMillis, halfClosedIdleTimeoutMillis, caps, interim, revocation, port,
                poolAdmission);
    }

    /** Services with interim usage records on the byte trigger only and no revocation sweep (tests without a gateway). */
    public ProxyServices(ProxyAuthCache auth, Limits limits, ExitConnector exits, UsageBatcher usage, GatewayMetrics metrics,
            ChannelGroup customerChannels, AtomicLong connectionIds, long handshakeTimeoutMillis, long httpIdleTimeoutMillis,
            long halfClosedIdleTimeoutMillis, ConnectionCaps caps) {
        this(auth, limits, exits, usage, metrics, customerChannels, connectionIds, handshakeTimeoutMillis,
                httpIdleTimeoutMillis, halfClosedIdleTimeoutMillis, caps, InterimUsage.bytesOnly(), new TunnelRevocation());
    }

    /**
     * Emits the usage record of a one-request stream (a tunnel, or a refused request) with the
     * bytes carried on its connection since the previous record. Call on the connection's event loop.
     *
     * @param exit the exit that carried the stream, null if none was reached
     * @param error null on success
     */
    public void recordUsage(MeteredStream stream, @Nullable ExitInfo exit, @Nullable ProxyError error) {
        recordUsage(stream, 1, exit, error, null);
    }

    /**
     * As {@link #recordUsage(MeteredStream, ExitInfo, ProxyError)} for a stream that carried
     * {@code requestCount} HTTP requests, with the origin's HTTP status of the last final response
     * (see {@link io.iploop.gateway.spi.UsageRecord#httpStatus()}).
     */
    public void recordUsage(MeteredStream stream, int requestCount, @Nullable ExitInfo exit, @Nullable ProxyError error,
            @Nullable Integer httpStatus) {
        usage.add(stream.toUsage(requestCount, exit, error, httpStatus));
    }
}
