/**
 * The data plane (docs/architecture.md#data-plane-gateway-tunnel-and-node-agent): customer
 * listeners (HTTP proxy with CONNECT, SOCKS5), the node
 * hub, exits, metering and the SPI it needs from its host. {@link io.iploop.gateway.Gateway} is
 * the entry point. No Spring.
 */
@NullMarked
package io.iploop.gateway;

import org.jspecify.annotations.NullMarked;
