package io.iploop.gateway.node;

import io.iploop.gateway.net.ProxyProtocol;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limits unadmitted node connections, which cost us before anyone is authenticated: per source IP
 * at most {@code maxConcurrentPerIp} handshakes in progress and {@code maxPerIpPerSecond} new
 * ones per second, and every handshake (WebSocket upgrade and HELLO) must be done within
 * {@code deadlineMillis} of accept. Refused connections are closed at accept and counted in
 * {@code iploop.nodes.handshakes.refused} (tag {@code reason=concurrent|rate|deadline}).
 * Thread-safe.
 */
final class NodeHandshakeGuard {

    /** Default handshakes in progress per source IP (agents behind one NAT reconnect together). */
    static final int MAX_CONCURRENT_PER_IP = 32;
    /** Default new handshakes per source IP per second. */
    static final int MAX_PER_IP_PER_SECOND = 20;
    /** Default deadline from accept to HELLO, in ms (docs/protocol.md §4.1). */
    static final long HANDSHAKE_DEADLINE_MILLIS = 10_000;

    private static final AttributeKey<Handshake> KEY = AttributeKey.valueOf(NodeHandshakeGuard.class, "handshake");

    /** One connection's handshake: counted once, ended once. */
    private final class Handshake {
        final InetAddress ip;
        final ScheduledFuture<?> deadline;
        private boolean ended;

        Handshake(InetAddress ip, ScheduledFuture<?> deadline) {
            this.ip = ip;
            this.deadline = deadline;
        }

        synchronized boolean end() {
            if (ended) {
                return false;
            }
            ended = true;
            deadline.cancel(false);
            inProgress.computeIfPresent(ip, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
            return true;
        }
    }

    /** Handshakes begun in the current second of one IP. */
    private record Second(long second, int count) {}

    private final int maxConcurrentPerIp;
    private final int maxPerIpPerSecond;
    private final long deadlineMillis;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> inProgress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, Second> rate = new ConcurrentHashMap<>();
    private final Counter refusedConcurrent;
    private final Counter refusedRate;
    private final Counter refusedDeadline;

    NodeHandshakeGuard(int maxConcurrentPerIp, int maxPerIpPerSecond, long deadlineMillis, MeterRegistry meters) {
        this.maxConcurrentPerIp = maxConcurrentPerIp;
        this.maxPerIpPerSecond = maxPerIpPerSecond;
        this.deadlineMillis = deadlineMillis;
        refusedConcurrent = counter(meters, "concurrent");
        refusedRate = counter(meters, "rate");
        refusedDeadline = counter(meters, "deadline");
    }

    private static Counter counter(MeterRegistry meters, String reason) {
        return Counter.builder("iploop.nodes.handshakes.refused").tag("reason", reason)
                .description("node connections closed before admission by a handshake limit").register(meters);
    }

    /**
     * Counts a freshly accepted node connection and starts its deadline.
     *
     * @return false if the source IP is over a limit (counted): close the channel
     */
    boolean tryBegin(Channel channel) {
        InetAddress ip = ProxyProtocol.clientAddress(channel);
        long now = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime());
        Second s = rate.merge(ip, new Second(now, 1),
                (old, one) -> old.second() == now ? new Second(now, old.count() + 1) : one);
        if (s.count() > maxPerIpPerSecond) {
            refusedRate.increment();
            return false;
        }
        AtomicInteger n = inProgress.compute(ip, (k, v) -> {
            AtomicInteger c = v == null ? new AtomicInteger() : v;
            c.incrementAndGet();
            return c;
        });
        if (n.get() > maxConcurrentPerIp) {
            inProgress.computeIfPresent(ip, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
            refusedConcurrent.increment();
            return false;
        }
        ScheduledFuture<?> deadline = channel.eventLoop().schedule(() -> {
            Handshake h = channel.attr(KEY).get();
            if (h != null && h.end()) {
                refusedDeadline.increment();
                channel.close();
            }
        }, deadlineMillis, TimeUnit.MILLISECONDS);
        Handshake h = new Handshake(ip, deadline);
        channel.attr(KEY).set(h);
        channel.closeFuture().addListener(f -> h.end());
        return true;
    }

    /** The connection's HELLO arrived: its handshake is over (admission is the authenticator's). */
    void helloReceived(Channel channel) {
        Handshake h = channel.attr(KEY).get();
        if (h != null) {
            h.end();
        }
    }

    /** Forgets rate entries of past seconds; call now and then. */
    void purge() {
        long now = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime());
        rate.values().removeIf(s -> s.second() < now);
    }
}
