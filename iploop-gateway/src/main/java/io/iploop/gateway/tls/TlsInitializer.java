package io.iploop.gateway.tls;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

/**
 * A listener's channel initializer with TLS in front: the {@code SslHandler} and
 * {@link TlsServerHandler} first, then the plain listener's own initializer, which builds the
 * same pipeline it builds on its plain port (so metering, limits and half-close work on the
 * decrypted bytes exactly as there; docs/tls.md). {@code @Sharable}: no per-channel state.
 */
@ChannelHandler.Sharable
public final class TlsInitializer extends ChannelInitializer<Channel> {

    private final ServerTls tls;
    private final long handshakeTimeoutMillis;
    private final Runnable onHandshakeFailure;
    private final ChannelHandler inner;

    /**
     * @param inner the plain listener's {@code @Sharable} initializer
     * @param onHandshakeFailure called per failed TLS handshake (metrics)
     */
    public TlsInitializer(ServerTls tls, long handshakeTimeoutMillis, Runnable onHandshakeFailure, ChannelHandler inner) {
        this.tls = tls;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.onHandshakeFailure = onHandshakeFailure;
        this.inner = inner;
    }

    @Override
    protected void initChannel(Channel ch) {
        TlsServerHandler.install(ch.pipeline(), tls, handshakeTimeoutMillis, onHandshakeFailure);
        ch.pipeline().addLast(inner);
    }
}
