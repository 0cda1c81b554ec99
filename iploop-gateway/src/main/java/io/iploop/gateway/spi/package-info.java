/**
 * The service-provider interface the data plane needs from its host (the control plane):
 * customer authentication, node authentication, and sinks for usage records and node state.
 * Implementations must be thread-safe; the gateway calls them from Netty event loops, so
 * anything that blocks (a database) must return a future or be called off the loop, as each
 * interface's Javadoc states.
 */
@NullMarked
package io.iploop.gateway.spi;

import org.jspecify.annotations.NullMarked;
