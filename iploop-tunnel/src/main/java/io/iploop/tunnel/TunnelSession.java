package io.iploop.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import java.util.concurrent.CompletableFuture;

/**
 * One node's tunnel: the stream multiplexer over a WebSocket (DESIGN §4). The gateway side opens
 * streams; the node side accepts them through a {@link StreamAcceptor}. Thread-safe: public
 * methods may be called from any thread and hop to the channel's event loop.
 */
public final class TunnelSession {

    /** Gateway-side events. Called on the session's event loop. */
    public interface GatewayListener {
        /** The agent said HELLO; answer with {@link #welcome} or {@link #refuse}. */
        void onHello(TunnelSession session, Hello hello);

        /** The session closed (agent gone, dead peer, protocol error). */
        void onClosed(TunnelSession session);
    }

    /** Node-side events. Called on the session's event loop. */
    public interface NodeListener {
        void onWelcome(TunnelSession session, Welcome welcome);

        /** The gateway asked the agent to finish its streams and reconnect elsewhere. */
        void onDrain(TunnelSession session, int deadlineMillis);

        /** The session closed; {@code reason} says why (refusal message, timeout, error). */
        void onClosed(TunnelSession session, String reason);
    }

    public static TunnelSession gatewaySide(TunnelSettings settings, GatewayListener listener) {
        throw new UnsupportedOperationException("in progress");
    }

    public static TunnelSession nodeSide(TunnelSettings settings, Hello hello, StreamAcceptor acceptor, NodeListener listener) {
        throw new UnsupportedOperationException("in progress");
    }

    /** The handler to put last in the pipeline, after the WebSocket codec ({@link TunnelPipeline} does it). */
    public ChannelHandler handler() {
        throw new UnsupportedOperationException("in progress");
    }

    /** The WebSocket channel; null before {@link #handler()} was added to a pipeline. */
    public Channel channel() {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * Gateway side: asks the node to connect a new stream to {@code host:port}.
     *
     * @return completes with the open stream on OPEN_OK, or exceptionally with
     *     {@link OpenFailedException} on OPEN_FAIL or timeout, or {@link java.nio.channels.ClosedChannelException}
     *     when the session closes first
     */
    public CompletableFuture<ByteStream> openStream(String host, int port) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Gateway side: admits the node after its HELLO. */
    public void welcome(Welcome welcome) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Gateway side: refuses the node after its HELLO and closes with {@code message}. */
    public void refuse(String message) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Gateway side: asks the agent to finish its streams and reconnect within {@code deadlineMillis}. */
    public void drain(int deadlineMillis) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Streams currently open. */
    public int activeStreams() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Smoothed round-trip time measured by PING/PONG, in ns; 0 before the first PONG. */
    public long rttNanos() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Closes the session and every stream on it. */
    public void close() {
        throw new UnsupportedOperationException("in progress");
    }
}
