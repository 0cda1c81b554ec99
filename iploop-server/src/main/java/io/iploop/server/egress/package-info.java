/**
 * Egress policy set by admins ({@code docs/security.md#exits-the-data-plane}): the destination
 * blocklist of
 * host names, address blocks and ports that the gateway refuses before it chooses an exit. The
 * public API is {@link io.iploop.server.egress.EgressBlocklistService}; the gateway reads the list
 * through its {@code EgressBlocklist} SPI, implemented here.
 */
@NullMarked
package io.iploop.server.egress;

import org.jspecify.annotations.NullMarked;
