/**
 * The platform's destination blocklist at the gateway
 * ({@code docs/security.md#exits-the-data-plane}): the
 * list from the {@link io.iploop.gateway.spi.EgressBlocklist} SPI, refreshed off the event loops,
 * and an exit connector in front of every exit that refuses a blocked target before a node is
 * chosen.
 */
@NullMarked
package io.iploop.gateway.egress;

import org.jspecify.annotations.NullMarked;
