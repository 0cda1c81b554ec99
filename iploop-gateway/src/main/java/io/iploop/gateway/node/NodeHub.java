package io.iploop.gateway.node;

import io.iploop.gateway.GatewayConfig;
import io.iploop.gateway.exit.ExitConnector;
import io.iploop.gateway.spi.NodeAuthenticator;
import io.iploop.gateway.spi.NodeStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;

/**
 * Accepts node agents on the WebSocket {@code /ws}, admits them through the
 * {@link NodeAuthenticator}, keeps the directory of connected nodes and opens customer streams
 * through them. Thread-safe.
 */
public final class NodeHub implements AutoCloseable {

    public NodeHub(GatewayConfig config, NodeAuthenticator authenticator, NodeStore store, MeterRegistry meters) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Binds {@link GatewayConfig#nodeHubPort()}; throws naming the port if it is taken. */
    public void start(EventLoopGroup boss, EventLoopGroup workers) throws InterruptedException {
        throw new UnsupportedOperationException("in progress");
    }

    /** The bound port. */
    public int port() {
        throw new UnsupportedOperationException("in progress");
    }

    public NodeDirectory directory() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Opens customer streams through connected nodes, selected by targeting and session. */
    public ExitConnector exitConnector() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Stops accepting, asks agents to drain, closes sessions, flushes node counters. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("in progress");
    }
}
