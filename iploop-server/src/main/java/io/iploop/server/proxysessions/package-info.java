/**
 * Sticky-session control for customers (docs/product/proxy.md#session-control): listing the
 * account's live sticky sessions, closing one so the next request gets a new exit, and extending
 * one within the plan's sticky-lifetime cap. The sessions live in the data plane; this feature
 * reaches them through {@link io.iploop.server.dataplane.DataPlane#stickySessions()}. Its one table,
 * {@code proxy_sticky_sessions}, keeps the data plane's pins across a restart through the gateway's
 * {@code StickySessionStore} SPI (docs/product/proxy.md#sessions-across-restarts), or, when {@code
 * IPLOOP_REDIS_URL} is set, Redis keys that expire with their sessions (docs/sticky-sessions-redis.md).
 * No public API of its own: its only surface is {@code /api/proxy/sessions}.
 */
@NullMarked
package io.iploop.server.proxysessions;

import org.jspecify.annotations.NullMarked;
