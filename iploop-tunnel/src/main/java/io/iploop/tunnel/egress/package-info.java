/**
 * Exit safety (docs/security.md#exits-the-data-plane): which destinations an exit may connect to.
 * Shared by the gateway
 * (direct and upstream exits) and the node agent (its own network), so both refuse the same
 * ranges and connect to the very address that was checked.
 */
@NullMarked
package io.iploop.tunnel.egress;

import org.jspecify.annotations.NullMarked;
