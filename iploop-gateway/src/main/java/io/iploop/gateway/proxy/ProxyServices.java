package io.iploop.gateway.proxy;

import io.iploop.gateway.GatewayConfig;
import io.iploop.gateway.auth.ProxyAuthCache;
import io.iploop.gateway.auth.Targeting;
import io.iploop.gateway.error.ProxyError;
import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.limits.Limits;
import io.iploop.gateway.metering.GatewayMetrics;
import io.iploop.gateway.metering.UsageBatcher;
import io.iploop.gateway.spi.CustomerPrincipal;
import io.iploop.gateway.spi.UsageRecord;
import io.netty.channel.group.ChannelGroup;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What every customer connection needs from the gateway: configuration, the auth cache, plan
 * limits, the exit connector, metering, and the group of open customer channels (closed on shutdown). Thread-safe.
 *
 * @param handshakeTimeoutMillis SOCKS5 / CONNECT handshake idle limit, in ms
 * @param httpIdleTimeoutMillis idle keep-alive HTTP proxy connections are closed after this, in ms
 * @param halfClosedIdleTimeoutMillis a tunnel with one direction ended is closed after this long
 *     without a byte in the other, in ms (docs/protocol.md §4.6)
 */
public record ProxyServices(
        GatewayConfig config,
        ProxyAuthCache auth,
        Limits limits,
        ExitConnector exits,
        UsageBatcher usage,
        GatewayMetrics metrics,
        ChannelGroup customerChannels,
        AtomicLong connectionIds,
        long handshakeTimeoutMillis,
        long httpIdleTimeoutMillis,
        long halfClosedIdleTimeoutMillis) {

    /**
     * Emits the usage record of one exit stream (or of a refused request) with the bytes carried
     * on {@code connection} since the previous record. Call on the connection's event loop.
     *
     * @param exit the exit that carried the stream, null if none was reached
     * @param error null on success
     */
    public void recordUsage(
            ProxyConnection connection,
            CustomerPrincipal principal,
            Targeting targeting,
            String targetHost,
            int requestCount,
            @Nullable ExitInfo exit,
            @Nullable ProxyError error,
            Instant startedAt) {
        recordUsage(connection, principal, targeting, targetHost, requestCount, exit, error, startedAt, null);
    }

    /**
     * As {@link #recordUsage(ProxyConnection, CustomerPrincipal, Targeting, String, int, ExitInfo, ProxyError, Instant)},
     * with the origin's HTTP status of the last final response (see {@link UsageRecord#httpStatus()}).
     */
    public void recordUsage(
            ProxyConnection connection,
            CustomerPrincipal principal,
            Targeting targeting,
            String targetHost,
            int requestCount,
            @Nullable ExitInfo exit,
            @Nullable ProxyError error,
            Instant startedAt,
            @Nullable Integer httpStatus) {
        long up = connection.cutRead();
        long down = connection.cutWritten();
        usage.add(new UsageRecord(
                UUID.randomUUID(),
                principal.userId(),
                principal.apiKeyId(),
                exit == null ? null : exit.nodeId(),
                targeting.session(),
                down,
                up,
                requestCount,
                targeting.country(),
                targeting.city(),
                targetHost,
                connection.proxyType(),
                error == null,
                error == null ? null : error.code(),
                startedAt,
                Instant.now(),
                httpStatus));
    }
}
