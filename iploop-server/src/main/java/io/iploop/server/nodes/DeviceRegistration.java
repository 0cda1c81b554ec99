package io.iploop.server.nodes;

import org.jspecify.annotations.Nullable;

/**
 * What a node agent reports about itself on start ({@code POST /api/earn/devices/register},
 * docs/product/earn.md#devices). Untrusted input, validated by {@link NodesService#registerDevice}. Immutable.
 *
 * @param deviceId the agent's persistent id, 1-128 of {@code [A-Za-z0-9._:-]}
 * @param deviceName 1-100 characters, or null to keep the current name
 * @param installMethod {@code docker}, {@code linux}, {@code windows}, {@code macos} or
 *     {@code android}
 * @param nodeVersion the agent's version, 1-40 characters, or null
 */
public record DeviceRegistration(String deviceId, @Nullable String deviceName, String installMethod,
        @Nullable String nodeVersion) {}
