package io.iploop.gateway.proxy;

import io.iploop.gateway.metering.GatewayMetrics;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the customer connections open at once, per source IP and in total, across the HTTP proxy
 * and SOCKS5 listeners ({@link io.iploop.gateway.GatewayConfig#maxConnectionsPerIp()},
 * {@link io.iploop.gateway.GatewayConfig#maxConnections()}), so one client cannot exhaust file
 * descriptors or memory before it ever authenticates. A refused connection is closed at accept,
 * before any byte is read, and counted ({@code iploop.gateway.connections.refused}). Thread-safe.
 */
public final class ConnectionCaps {

    private final int perIp;
    private final int total;
    private final GatewayMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> byIp = new ConcurrentHashMap<>();

    /** @param perIp connections one source IP may hold, >= 1; @param total connections in all, >= 1 */
    public ConnectionCaps(int perIp, int total, GatewayMetrics metrics) {
        this.perIp = perIp;
        this.total = total;
        this.metrics = metrics;
    }

    /**
     * Counts a freshly accepted channel; the count is given back when it closes.
     *
     * @return false (and the refusal is counted) if a cap is reached: close the channel
     */
    public boolean tryAccept(Channel channel) {
        InetAddress ip = ProxyConnection.clientAddressOf(channel);
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            metrics.connectionRefused("global");
            return false;
        }
        AtomicInteger n = byIp.compute(ip, (k, v) -> {
            AtomicInteger c = v == null ? new AtomicInteger() : v;
            c.incrementAndGet();
            return c;
        });
        if (n.get() > perIp) {
            release(ip);
            open.decrementAndGet();
            metrics.connectionRefused("per_ip");
            return false;
        }
        channel.closeFuture().addListener(f -> {
            release(ip);
            open.decrementAndGet();
        });
        return true;
    }

    private void release(InetAddress ip) {
        byIp.computeIfPresent(ip, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    }

    /** Customer connections counted now. */
    public int open() {
        return open.get();
    }
}
