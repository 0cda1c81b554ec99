/**
 * Exits: where a customer stream leaves for the internet. The listeners (HTTP proxy, SOCKS5)
 * only see {@link io.iploop.gateway.exit.ExitConnector}; node exits, the upstream pool and the
 * optional direct exit plug in behind it.
 */
@NullMarked
package io.iploop.gateway.exit;

import org.jspecify.annotations.NullMarked;
