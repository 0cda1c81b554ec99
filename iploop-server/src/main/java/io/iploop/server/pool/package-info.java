/**
 * The upstream pool's control plane (docs/upstream-pool.md): upstream proxies bound to pool ports
 * (import from the seed-004 file format, the admin API, the CLI or a watched file), pool plans and
 * per-account pool subscriptions, the gateway's {@code PoolUpstreamSource} and
 * {@code PoolAccessProvider}, {@code GET /api/proxies}, {@code /api/manage-ips}, admin API tokens and
 * the goproxy-compatible hooks. The public API is {@link io.iploop.server.pool.PoolService}; after
 * every change of the upstreams it publishes {@link io.iploop.server.pool.PoolUpstreamsChanged}.
 */
@NullMarked
package io.iploop.server.pool;

import org.jspecify.annotations.NullMarked;
