/**
 * What the customer listeners (HTTP proxy, SOCKS5) share: the per-connection state with its
 * metered byte counters, the services a connection needs, and how a finished stream becomes a
 * usage record.
 */
@NullMarked
package io.iploop.gateway.proxy;

import org.jspecify.annotations.NullMarked;
