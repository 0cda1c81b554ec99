package io.iploop.gateway.socks;

import io.iploop.gateway.proxy.ProxyConnection;
import io.iploop.gateway.proxy.ProxyServerHalfCloseHandler;
import io.iploop.gateway.proxy.ProxyServerMeteringHandler;
import io.iploop.gateway.proxy.ProxyServices;
import io.iploop.tunnel.ReadAfterFinGuard;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;

/**
 * Assembles a SOCKS5 customer pipeline ({@code AUTO_READ=false}):
 * {@code metering → reads → half-close → timeout → encoder → decoder → init}; the init handler hands over to
 * {@link Socks5ServerAuthHandler} and that to {@link Socks5ServerConnectHandler}, each swapping
 * the decoder for the next RFC 1928/1929 message. The whole handshake must be complete within the
 * handshake timeout (10 s) of accept ({@link Socks5ServerHandshakeDeadlineHandler}). A connection
 * over a connection cap ({@link io.iploop.gateway.proxy.ConnectionCaps}) is closed at once.
 * {@code @Sharable}: no per-channel state.
 */
@ChannelHandler.Sharable
public final class Socks5ProxyServerInitializer extends ChannelInitializer<Channel> {

    static final String METERING = "metering";
    static final String READS = "reads";
    static final String TIMEOUT = "timeout";
    static final String ENCODER = "socks-encoder";
    static final String DECODER = "socks-decoder";
    static final String HANDLER = "socks-handler";

    private final ProxyServices services;

    public Socks5ProxyServerInitializer(ProxyServices services) {
        this.services = services;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.config().setAutoRead(false);
        if (!services.caps().tryAccept(ch)) {
            ch.close();
            return;
        }
        ProxyConnection connection = new ProxyConnection(
                services.connectionIds().incrementAndGet(), "socks5", ProxyConnection.clientAddressOf(ch),
                services.poolPort());
        ch.attr(ProxyConnection.KEY).set(connection);
        services.customerChannels().add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast(METERING, new ProxyServerMeteringHandler(connection, services.metrics()));
        p.addLast(READS, ReadAfterFinGuard.INSTANCE);
        p.addLast(ProxyServerHalfCloseHandler.NAME, new ProxyServerHalfCloseHandler());
        p.addLast(TIMEOUT, new Socks5ServerHandshakeDeadlineHandler(services.handshakeTimeoutMillis(), services.metrics()));
        p.addLast(ENCODER, Socks5ServerEncoder.DEFAULT);
        p.addLast(DECODER, new Socks5InitialRequestDecoder());
        p.addLast(HANDLER, new Socks5ServerInitHandler(services, connection));
    }
}
