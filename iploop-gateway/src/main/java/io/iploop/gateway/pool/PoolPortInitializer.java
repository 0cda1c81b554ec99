package io.iploop.gateway.pool;

import io.iploop.gateway.proxy.ProxyServices;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;

/**
 * Starts the pipeline of a connection accepted on a pool port ({@code AUTO_READ=false}): only a
 * {@link PoolServerDetectHandler}, which installs the HTTP proxy or SOCKS5 pipeline once the first
 * byte says which. Adds the channel to the port's open sockets. {@code @Sharable}: no per-channel state.
 */
@ChannelHandler.Sharable
final class PoolPortInitializer extends ChannelInitializer<Channel> {

    private final ProxyServices services;
    private final ChannelGroup sockets;

    PoolPortInitializer(ProxyServices services, ChannelGroup sockets) {
        this.services = services;
        this.sockets = sockets;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.config().setAutoRead(false);
        sockets.add(ch);
        ch.pipeline().addLast("pool-detect", new PoolServerDetectHandler(services));
    }
}
