package io.iploop.node;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of an agent's state. Immutable.
 *
 * @param state where the connection loop is
 * @param nodeId the id the gateway assigned in WELCOME, null before the first WELCOME
 * @param connectedSince when the current session was welcomed, null when not connected
 * @param activeStreams streams open now
 * @param bytesCarried bytes relayed since the agent started, both directions
 * @param reconnects connection attempts after the first
 * @param lastError the last connection or refusal error, null if none
 * @param bytesUp of {@code bytesCarried}, bytes written to destinations (the customers' uploads)
 * @param bytesDown of {@code bytesCarried}, bytes read from destinations (the customers' downloads)
 * @param startedAt when the agent was started, null before {@code start()}
 */
public record AgentStatus(
        State state,
        @Nullable String nodeId,
        @Nullable Instant connectedSince,
        int activeStreams,
        long bytesCarried,
        long streamsServed,
        long reconnects,
        @Nullable String lastError,
        long bytesUp,
        long bytesDown,
        @Nullable Instant startedAt) {

    /**
     * Connection states. {@code DUPLICATE_DEVICE}: the gateway refused this device id because
     * another agent with the same id is connected; waiting long before the next try (run
     * {@code proxyclaw reset-id}). {@code STOPPING}: a stop was requested; no new streams, the
     * open ones are finishing. {@code UNAVAILABLE}: outside the active hours or over the monthly
     * data cap ({@code lastError} says which); disconnected until it may serve again.
     */
    public enum State { CONNECTING, CONNECTED, BACKING_OFF, DUPLICATE_DEVICE, STOPPING, STOPPED, UNAVAILABLE }
}
