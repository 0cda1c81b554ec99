package io.iploop.gateway;

import io.iploop.gateway.node.NodeDirectory;
import io.iploop.gateway.spi.NodeAuthenticator;
import io.iploop.gateway.spi.NodeStore;
import io.iploop.gateway.spi.ProxyAuthenticator;
import io.iploop.gateway.spi.UsageSink;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The data plane in one object: HTTP proxy, SOCKS5 and node hub listeners, exits, metering.
 * Build with {@link #builder}, {@link #start()}, {@link #close()} (graceful: stops accepting,
 * closes streams, flushes all metered usage). Thread-safe.
 */
public final class Gateway implements AutoCloseable {

    /** Starts a builder with the given configuration; every SPI must be set before {@code build()}. */
    public static Builder builder(GatewayConfig config) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Binds every listener. @throws Exception naming the listener and port when a bind fails */
    public void start() throws Exception {
        throw new UnsupportedOperationException("in progress");
    }

    /** Bound HTTP proxy port (useful when configured as 0). */
    public int httpProxyPort() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Bound SOCKS5 port. */
    public int socksPort() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Bound node hub port. */
    public int nodeHubPort() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Live view of connected nodes. */
    public NodeDirectory nodes() {
        throw new UnsupportedOperationException("in progress");
    }

    /** True between a successful {@link #start()} and {@link #close()}, with every listener bound. */
    public boolean isRunning() {
        throw new UnsupportedOperationException("in progress");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Assembles a {@link Gateway}. Not thread-safe. */
    public static final class Builder {
        public Builder proxyAuthenticator(ProxyAuthenticator v) {
            throw new UnsupportedOperationException("in progress");
        }

        public Builder nodeAuthenticator(NodeAuthenticator v) {
            throw new UnsupportedOperationException("in progress");
        }

        public Builder usageSink(UsageSink v) {
            throw new UnsupportedOperationException("in progress");
        }

        public Builder nodeStore(NodeStore v) {
            throw new UnsupportedOperationException("in progress");
        }

        public Builder meterRegistry(MeterRegistry v) {
            throw new UnsupportedOperationException("in progress");
        }

        public Gateway build() {
            throw new UnsupportedOperationException("in progress");
        }
    }
}
