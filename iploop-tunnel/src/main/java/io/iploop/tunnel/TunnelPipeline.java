package io.iploop.tunnel;

import io.iploop.tunnel.frame.TunnelFrameCodec;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * Assembles the tunnel's pipeline on either side: (TLS), flush consolidation, HTTP codec, the
 * WebSocket handshake and framing, the {@link TunnelFrameCodec} and the {@link TunnelSession}
 * (which runs the heartbeats). Stateless.
 */
public final class TunnelPipeline {

    /** Largest WebSocket message: one frame header plus the largest DATA payload. */
    private static final int MAX_MESSAGE_BYTES = TunnelProtocol.HEADER_BYTES + TunnelProtocol.MAX_DATA_PAYLOAD;

    /** The gateway's frame rules: agents send unmasked frames (see client()); masked ones stay accepted. */
    private static final WebSocketDecoderConfig SERVER_DECODER = WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(MAX_MESSAGE_BYTES)
            .allowExtensions(false)
            .expectMaskedFrames(true)
            .allowMaskMismatch(true)
            .build();

    /** The node's frame rules, as {@link #client} configures Netty's handshaker: a gateway never masks. */
    private static final WebSocketDecoderConfig CLIENT_DECODER = WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(MAX_MESSAGE_BYTES)
            .allowExtensions(false)
            .expectMaskedFrames(false)
            .allowMaskMismatch(false)
            .build();

    /** Flushes coalesced per read burst: many small stream writes become one syscall. */
    private static final int EXPLICIT_FLUSHES_BEFORE_FLUSH = 64;

    private TunnelPipeline() {}

    /**
     * Node side: configures a freshly connected channel to speak the tunnel to {@code uri}
     * ({@code ws://host:port/ws} or {@code wss://…}); the session sends HELLO once the WebSocket
     * handshake completes.
     *
     * @param ssl the client TLS context for {@code wss}, null for {@code ws}
     */
    public static void client(ChannelPipeline pipeline, URI uri, @Nullable SslContext ssl, TunnelSession session) {
        client(pipeline, uri, ssl, session, EmptyHttpHeaders.INSTANCE);
    }

    /**
     * As {@link #client(ChannelPipeline, URI, SslContext, TunnelSession)}, sending {@code headers}
     * with the WebSocket upgrade request (the gateways' relay link authenticates with one,
     * docs/deploy.md#cross-gateway-relay).
     */
    public static void client(ChannelPipeline pipeline, URI uri, @Nullable SslContext ssl, TunnelSession session,
            HttpHeaders headers) {
        InProcessTunnel.addHead(pipeline);
        if (ssl != null) {
            int port = uri.getPort() > 0 ? uri.getPort() : 443;
            pipeline.addLast("tls", ssl.newHandler(pipeline.channel().alloc(), uri.getHost(), port));
        }
        pipeline.addLast("flush-consolidation", new FlushConsolidationHandler(EXPLICIT_FLUSHES_BEFORE_FLUSH, true));
        pipeline.addLast("http-codec", new HttpClientCodec());
        pipeline.addLast("http-aggregator", new HttpObjectAggregator(8192));
        pipeline.addLast("websocket", new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .customHeaders(headers)
                .version(WebSocketVersion.V13)
                .allowExtensions(false)
                .maxFramePayloadLength(MAX_MESSAGE_BYTES)
                .handshakeTimeoutMillis(10_000)
                .handleCloseFrames(false)
                .dropPongFrames(true)
                // RFC 6455 masking shields plain-HTTP intermediaries from cache poisoning; the tunnel
                // runs over TLS in production, where it only costs two passes over every byte.
                .performMasking(false)
                .build()));
        addTunnelHandlers(pipeline, session);
    }

    /** Gateway side: configures an accepted channel (HTTP upgrade on {@link TunnelProtocol#WEBSOCKET_PATH}). */
    public static void server(ChannelPipeline pipeline, TunnelSession session) {
        InProcessTunnel.addHead(pipeline);
        pipeline.addLast("flush-consolidation", new FlushConsolidationHandler(EXPLICIT_FLUSHES_BEFORE_FLUSH, true));
        pipeline.addLast("http-codec", new HttpServerCodec(4096, 8192, 8192));
        pipeline.addLast("http-aggregator", new HttpObjectAggregator(8192));
        pipeline.addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(TunnelProtocol.WEBSOCKET_PATH)
                .checkStartsWith(false)
                .handshakeTimeoutMillis(10_000)
                .handleCloseFrames(false)
                .dropPongFrames(true)
                .decoderConfig(SERVER_DECODER)
                .build()));
        addTunnelHandlers(pipeline, session);
    }

    /**
     * Called once the WebSocket handshake completed, on the channel's loop. Two changes to how frames
     * are read, both keeping every byte exactly as received:
     *
     * <ul>
     *   <li>Netty's frame decoder is replaced by a {@link TunnelWebSocketDecoder} with the same rules
     *       (those {@link #server} or {@link #client} gave Netty's), which hands large payloads on as slices
     *       of the received bytes instead of copying each one. Netty fires this event from the
     *       listener of the handshake response's write, before anything the peer sends after reading
     *       that response can arrive; a peer sending frames before it (RFC 6455 §4.1 forbids it) has
     *       them read by one decoder or the other, each as strict.
     *   <li>The frame decoder keeps a partly received message as a list of the reads it came in
     *       ({@code COMPOSITE_CUMULATOR}) instead of copying every following read onto it. A 64 KiB
     *       DATA message never fits one 64 KiB read, so with the default cumulator nearly every byte of
     *       a bulk transfer was copied once more.
     * </ul>
     *
     * <p>With {@code -D}{@value #COPYING_DECODER_PROPERTY}{@code =true} Netty's decoder stays (an
     * escape hatch and the before of a benchmark).
     *
     * <p>On an in-process connection frames then cross as objects, unless
     * {@code -Diploop.tunnel.in-process.object-frames=false} ({@link InProcessTunnel#passFrameObjects}).
     *
     * @param session the session handler's context
     */
    static void onHandshakeComplete(ChannelHandlerContext session) {
        ChannelPipeline pipeline = session.pipeline();
        InProcessTunnel.passFrameObjects(pipeline, session);
        ChannelHandlerContext ctx = pipeline.context(WebSocketFrameDecoder.class);
        if (ctx == null) {
            return; // a test's pipeline without WebSocket framing
        }
        ChannelHandler decoder = ctx.handler();
        if (!COPYING_DECODER && !(decoder instanceof TunnelWebSocketDecoder)) {
            boolean acceptedSide = pipeline.get(WebSocketServerProtocolHandler.class) != null;
            decoder = new TunnelWebSocketDecoder(acceptedSide ? SERVER_DECODER : CLIENT_DECODER);
            pipeline.replace(ctx.name(), ctx.name(), decoder);
        }
        if (decoder instanceof ByteToMessageDecoder d) {
            d.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
        }
    }

    /** System property: keep Netty's copying WebSocket frame decoder (see {@link #onHandshakeComplete}). */
    static final String COPYING_DECODER_PROPERTY = "iploop.tunnel.copying-websocket-decoder";

    private static final boolean COPYING_DECODER = Boolean.getBoolean(COPYING_DECODER_PROPERTY);

    /**
     * Write-buffer marks of a tunnel connection: above the high mark, streams stop handing it
     * frames until it drained below the low one (TunnelStream, the gateway's read stop). Netty's
     * default 64 KiB high mark is below one full DATA message (64 KiB + headers), so every bulk
     * message flipped the connection and its streams unwritable and back.
     */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private static void addTunnelHandlers(ChannelPipeline pipeline, TunnelSession session) {
        pipeline.channel().config().setWriteBufferWaterMark(WATER_MARK);
        pipeline.addLast("tunnel-codec", TunnelFrameCodec.INSTANCE);
        // Heartbeats and dead-peer detection are the session's own timer (docs/protocol.md §6):
        // its timings depend on whether streams are open.
        pipeline.addLast("tunnel-session", session.handler());
    }
}
