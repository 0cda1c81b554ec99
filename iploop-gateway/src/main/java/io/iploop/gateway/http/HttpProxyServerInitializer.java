package io.iploop.gateway.http;

import io.iploop.gateway.proxy.ProxyConnection;
import io.iploop.gateway.proxy.ProxyServerHalfCloseHandler;
import io.iploop.gateway.proxy.ProxyServerMeteringHandler;
import io.iploop.gateway.proxy.ProxyServices;
import io.iploop.tunnel.ReadAfterFinGuard;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Assembles an HTTP proxy customer pipeline ({@code AUTO_READ=false}):
 * {@code metering → reads → half-close → idle → codec → deadline → flow → auth → forward → connect}. A connection
 * over a connection cap ({@link io.iploop.gateway.proxy.ConnectionCaps}) is closed at once. The metering handler stays
 * for the life of the connection; a CONNECT tunnel removes everything after it but the relay.
 * {@code @Sharable}: it keeps no per-channel state.
 */
@ChannelHandler.Sharable
public final class HttpProxyServerInitializer extends ChannelInitializer<Channel> {

    static final String METERING = "metering";
    static final String READS = "reads";
    static final String IDLE = "idle";
    static final String CODEC = "codec";
    static final String DEADLINE = "head-deadline";
    static final String FLOW = "flow";
    static final String AUTH = "auth";
    static final String FORWARD = "forward";
    static final String CONNECT = "connect";

    /** Longest request line, in bytes. */
    public static final int MAX_INITIAL_LINE_BYTES = 8192;
    /** Largest request header section, in bytes (larger: 400 and close). */
    public static final int MAX_HEADER_BYTES = 32768;

    private final ProxyServices services;

    public HttpProxyServerInitializer(ProxyServices services) {
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
                services.connectionIds().incrementAndGet(), "http", ProxyConnection.clientAddressOf(ch),
                services.poolPort());
        ch.attr(ProxyConnection.KEY).set(connection);
        services.customerChannels().add(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast(METERING, new ProxyServerMeteringHandler(connection, services.metrics()));
        p.addLast(READS, ReadAfterFinGuard.INSTANCE);
        p.addLast(ProxyServerHalfCloseHandler.NAME, new ProxyServerHalfCloseHandler());
        p.addLast(IDLE, idleHandler(services));
        p.addLast(CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                .setMaxChunkSize(65536)));
        p.addLast(DEADLINE, new HttpProxyServerHeadDeadlineHandler(services.handshakeTimeoutMillis(), services.metrics()));
        p.addLast(FLOW, new HttpProxyServerFlowHandler());
        p.addLast(AUTH, new HttpProxyServerAuthHandler(services, connection));
        p.addLast(FORWARD, new HttpProxyServerForwardHandler(services, connection));
        p.addLast(CONNECT, new HttpProxyServerConnectHandler(services, connection));
    }

    /** The keep-alive idle timer ({@link ProxyServices#httpIdleTimeoutMillis()}, any direction). */
    static IdleStateHandler idleHandler(ProxyServices services) {
        return new IdleStateHandler(0, 0, services.httpIdleTimeoutMillis(), TimeUnit.MILLISECONDS);
    }
}
