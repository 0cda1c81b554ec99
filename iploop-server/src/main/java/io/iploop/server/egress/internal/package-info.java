/**
 * The egress feature's internals: the {@code egress_blocklist} table, the service, the gateway's
 * {@code EgressBlocklist} SPI and the admin REST endpoints under {@code /api/admin/egress}.
 */
@NullMarked
package io.iploop.server.egress.internal;

import org.jspecify.annotations.NullMarked;
