package io.iploop.server.nodes;

import java.time.LocalDate;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A node agent's own count of the bytes its exit connections carried on one UTC day, both
 * directions, since the agent run started (docs/operator-transparency.md#agent-byte-reconciliation).
 * Untrusted: {@link NodesService#reportAgentTraffic} validates every field; null fields are refused
 * there with a 400 naming them. Immutable.
 *
 * @param deviceId the agent's device id (must belong to the node key's owner)
 * @param runId a random id the agent picks at start; a restarted agent counts from zero under a new one
 * @param day the UTC day the bytes were counted on, not in the future, at most {@link #MAX_AGE_DAYS} days ago
 * @param bytes bytes counted on that day by that run so far, 0 to {@link #MAX_BYTES_PER_DAY}
 */
public record AgentTrafficReport(@Nullable String deviceId, @Nullable UUID runId, @Nullable LocalDate day, long bytes) {

    /** Upper bound of one run's bytes a day: 10 Gbit/s for 24 hours is 1.08 × 10^14 bytes. */
    public static final long MAX_BYTES_PER_DAY = 108_000_000_000_000L;
    /** Oldest day an agent may still report, in days before today (UTC). */
    public static final int MAX_AGE_DAYS = 7;
    /** Agent runs (restarts) per device and day that are stored; more are refused. */
    public static final int MAX_RUNS_PER_DAY = 200;
}
