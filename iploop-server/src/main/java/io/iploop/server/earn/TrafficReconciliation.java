package io.iploop.server.earn;

import java.time.LocalDate;
import org.jspecify.annotations.Nullable;

/**
 * One device's bytes on one UTC day as three counts, for its operator
 * (docs/operator-transparency.md#agent-byte-reconciliation). Only {@code meteredBytes} earns:
 * agent-reported bytes are shown, never credited. Immutable.
 *
 * @param day the UTC day
 * @param meteredBytes bytes of the device's usage records that started that day, both directions,
 *     metered at the customer-facing socket (protocol overhead included): the basis of earnings
 * @param gatewayBytes payload bytes the gateway relayed to and from the device's agent over the
 *     tunnel that day: the quantity the agent also counts
 * @param agentBytes bytes the device's agent reported for that day, null when it reported nothing
 * @param difference {@code agentBytes - gatewayBytes}; 0 when nothing was lost, null without a report
 */
public record TrafficReconciliation(LocalDate day, long meteredBytes, long gatewayBytes, @Nullable Long agentBytes,
        @Nullable Long difference) {}
