package io.iploop.server.nodes;

import java.time.LocalDate;
import org.jspecify.annotations.Nullable;

/**
 * One device's byte counts for one UTC day from the two sides of the tunnel
 * (docs/operator-transparency.md#agent-byte-reconciliation). Immutable.
 *
 * @param day the UTC day
 * @param gatewayBytes payload bytes the gateway relayed to and from the device's agent over the
 *     tunnel (both directions; the same quantity the agent counts at its exit sockets), as flushed
 *     from the gateway's per-node counters on that day
 * @param agentBytes the bytes the device's agent reported for that day (all its runs together), or
 *     null when it reported nothing
 * @param onlineSeconds seconds the device's agent was connected to a gateway that day, from the
 *     gateway's counter flushes (every 2 s; gaps over 10 s are not counted), so within a few seconds
 */
public record DeviceTrafficCounts(LocalDate day, long gatewayBytes, @Nullable Long agentBytes, long onlineSeconds) {}
