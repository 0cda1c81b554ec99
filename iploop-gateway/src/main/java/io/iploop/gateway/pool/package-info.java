/**
 * The upstream pool's data plane (docs/upstream-pool.md): pool ports bound on the gateway's own
 * event loops, each chained through one upstream proxy (HTTP CONNECT or SOCKS5) by a per-port
 * {@link io.iploop.gateway.exit.ExitConnector} behind the same HTTP and SOCKS5 pipelines as the
 * residential listeners; hot reload, health checks, per-account pool limits with shaping, and the
 * strike system.
 */
@NullMarked
package io.iploop.gateway.pool;

import org.jspecify.annotations.NullMarked;
