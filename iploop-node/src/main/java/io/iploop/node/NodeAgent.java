package io.iploop.node;

/**
 * A running node agent: connects to the gateway, keeps reconnecting forever with exponential
 * backoff and jitter, serves the streams the gateway opens. Thread-safe.
 */
public final class NodeAgent implements AutoCloseable {

    public NodeAgent(AgentConfig config) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Starts the connection loop in the background and returns at once. */
    public void start() {
        throw new UnsupportedOperationException("in progress");
    }

    /** The current state. */
    public AgentStatus status() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Stops reconnecting, closes the tunnel and every stream, releases threads. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("in progress");
    }
}
