package io.iploop.gateway.net;

import io.iploop.tunnel.egress.Cidr;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol (HAProxy's header, version 1 text or version 2 binary) on the gateway's
 * listeners, so that gateways behind a TCP load balancer see each customer's and each node agent's
 * own address instead of the balancer's (docs/deploy.md#client-addresses-behind-a-load-balancer).
 *
 * <p>Only connections whose socket peer lies in one of the trusted networks must begin with a
 * header, and only theirs are believed: anyone else could write a header naming any address and
 * walk past IP-authorised access and per-IP limits. A trusted peer that sends no valid header
 * within the handshake deadline is disconnected; the receiver of a PROXY header never guesses
 * (the specification's "must not try to guess" rule). A header with the {@code LOCAL} command (the
 * balancer's own health check) or an {@code UNKNOWN} family keeps the socket peer as the address.
 *
 * <p>The listener's real initializer runs only once the header is read, so everything it does
 * (connection caps, per-IP limits, {@link #clientAddress(Channel)}) already sees the customer's
 * address. Without trusted networks {@link #wrap} returns the initializer itself: no cost.
 *
 * <p>Thread-safe: one instance serves every listener.
 */
public final class ProxyProtocol {

    /** The source address a trusted PROXY header named; absent on every other connection. */
    public static final AttributeKey<InetSocketAddress> SOURCE = AttributeKey.valueOf("iploop.proxyProtocolSource");

    /** How long a trusted peer has to send its header by default, ms: the gateway's handshake deadline. */
    public static final long DEFAULT_HEADER_TIMEOUT_MILLIS = 10_000;

    /** No trusted balancer: no listener expects a header. */
    public static final ProxyProtocol OFF = new ProxyProtocol(List.of(), 0);

    private static final Logger log = LoggerFactory.getLogger(ProxyProtocol.class);
    private static final String DECODER = "proxy-protocol-decoder";
    private static final String HEADER = "proxy-protocol-header";

    private final List<Cidr> trusted;
    private final long headerTimeoutMillis;
    private final LongAdder refused = new LongAdder();

    /**
     * @param trusted the balancers' networks (IPv4/IPv6 CIDR or single addresses); empty: off
     * @param headerTimeoutMillis how long a trusted peer has to send its header, ms (≥ 1 unless off)
     */
    public ProxyProtocol(List<Cidr> trusted, long headerTimeoutMillis) {
        this.trusted = List.copyOf(trusted);
        if (!this.trusted.isEmpty() && headerTimeoutMillis < 1) {
            throw new IllegalArgumentException("PROXY header timeout must be at least 1 ms, got " + headerTimeoutMillis);
        }
        this.headerTimeoutMillis = headerTimeoutMillis;
    }

    /**
     * Parses {@code IPLOOP_PROXY_PROTOCOL_TRUSTED}-style entries.
     *
     * @throws IllegalArgumentException naming the first entry that is not an address or CIDR
     */
    public static ProxyProtocol trusting(List<String> networks, long headerTimeoutMillis) {
        List<Cidr> cidrs = networks.stream().map(String::strip).filter(s -> !s.isEmpty()).map(s -> {
            try {
                return Cidr.parse(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("trusted PROXY protocol network '" + s + "' is not an IP address or CIDR: "
                        + e.getMessage(), e);
            }
        }).toList();
        return cidrs.isEmpty() ? OFF : new ProxyProtocol(cidrs, headerTimeoutMillis);
    }

    /** Whether any listener expects headers. */
    public boolean enabled() {
        return !trusted.isEmpty();
    }

    /** Connections from trusted peers closed for a missing, late or malformed header. */
    public long refused() {
        return refused.sum();
    }

    /**
     * The address of the client of {@code channel}: the trusted PROXY header's source if there was
     * one, else the socket peer (loopback for non-IP transports such as tests' local channels).
     */
    public static InetAddress clientAddress(Channel channel) {
        InetSocketAddress source = channel.attr(SOURCE).get();
        if (source != null) {
            return source.getAddress();
        }
        if (channel.remoteAddress() instanceof InetSocketAddress isa && isa.getAddress() != null) {
            return isa.getAddress();
        }
        return InetAddress.getLoopbackAddress();
    }

    /**
     * The child handler for a listener: {@code initializer} itself when off, else a gate that reads
     * the header of trusted peers first and then installs {@code initializer}.
     */
    public ChannelHandler wrap(ChannelHandler initializer) {
        Objects.requireNonNull(initializer, "initializer");
        return enabled() ? new Gate(initializer) : initializer;
    }

    private boolean trusts(Channel channel) {
        if (!(channel.remoteAddress() instanceof InetSocketAddress isa) || isa.getAddress() == null) {
            return false;
        }
        InetAddress peer = isa.getAddress();
        for (Cidr c : trusted) {
            if (c.contains(peer)) {
                return true;
            }
        }
        return false;
    }

    @ChannelHandler.Sharable
    private final class Gate extends ChannelInitializer<Channel> {
        private final ChannelHandler initializer;

        Gate(ChannelHandler initializer) {
            this.initializer = initializer;
        }

        @Override
        protected void initChannel(Channel ch) {
            if (!trusts(ch)) {
                ch.pipeline().addLast(initializer);
                return;
            }
            ch.pipeline().addLast(DECODER, new HAProxyMessageDecoder());
            ch.pipeline().addLast(HEADER, new HeaderReader(initializer));
        }
    }

    /** Waits for the header, records its source, then hands the connection to the listener. */
    private final class HeaderReader extends ChannelInboundHandlerAdapter {
        private final ChannelHandler initializer;
        private @Nullable ScheduledFuture<?> deadline;
        private boolean done;

        HeaderReader(ChannelHandler initializer) {
            this.initializer = initializer;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // The listener's channelActive is fired once it exists, after the header.
            deadline = ctx.executor().schedule(() -> refuse(ctx, "no PROXY header within " + headerTimeoutMillis + " ms"),
                    headerTimeoutMillis, TimeUnit.MILLISECONDS);
            ctx.read(); // the listeners run with auto-read off
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (done) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (!(msg instanceof HAProxyMessage header)) {
                ReferenceCountUtil.release(msg);
                refuse(ctx, "data before the PROXY header");
                return;
            }
            try {
                if (header.command() == HAProxyCommand.PROXY && header.proxiedProtocol() != HAProxyProxiedProtocol.UNKNOWN
                        && header.sourceAddress() != null) {
                    ctx.channel().attr(SOURCE).set(new InetSocketAddress(
                            InetAddress.ofLiteral(header.sourceAddress()), header.sourcePort()));
                }
            } catch (IllegalArgumentException e) {
                refuse(ctx, "PROXY header source address '" + header.sourceAddress() + "' is not an IP address");
                return;
            } finally {
                header.release();
            }
            done = true;
            if (deadline != null) {
                deadline.cancel(false);
            }
            var pipeline = ctx.pipeline();
            pipeline.addLast(initializer); // runs the listener's initChannel now: the channel is registered
            if (!ctx.channel().isOpen()) {
                return; // the listener refused it (a cap)
            }
            pipeline.remove(this);
            pipeline.fireChannelActive();
            // The decoder removes itself once this returns (it decodes one header only) and hands the
            // bytes that arrived behind the header to the listener's handlers.
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!done) {
                ctx.read(); // the header is not complete yet
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            refuse(ctx, "bad PROXY header: " + cause.getMessage());
        }

        private void refuse(ChannelHandlerContext ctx, String why) {
            if (done || !ctx.channel().isOpen()) {
                return;
            }
            done = true;
            refused.increment();
            log.debug("closing {}: {}", ctx.channel().remoteAddress(), why);
            ctx.close();
        }
    }
}
