package io.iploop.tunnel;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/** Assembles the tunnel's pipeline on either side (WebSocket handshake, frame codec, heartbeat, session). */
public final class TunnelPipeline {

    private TunnelPipeline() {}

    /**
     * Node side: configures a freshly connected channel to speak the tunnel to {@code uri}
     * ({@code ws://host:port/ws} or {@code wss://…}); the session sends HELLO once the WebSocket
     * handshake completes.
     *
     * @param ssl the client TLS context for {@code wss}, null for {@code ws}
     */
    public static void client(ChannelPipeline pipeline, URI uri, @Nullable SslContext ssl, TunnelSession session) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Gateway side: configures an accepted channel (HTTP upgrade on {@link TunnelProtocol#WEBSOCKET_PATH}). */
    public static void server(ChannelPipeline pipeline, TunnelSession session) {
        throw new UnsupportedOperationException("in progress");
    }
}
