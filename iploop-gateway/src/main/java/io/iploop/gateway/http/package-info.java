/**
 * The HTTP proxy listener (docs/product/proxy.md): absolute-form requests of every method, streamed
 * both ways through one exit stream per customer connection and destination, and {@code CONNECT}
 * tunnels relayed as raw bytes. The pipeline is assembled by
 * {@link io.iploop.gateway.http.HttpProxyServerInitializer}.
 */
@NullMarked
package io.iploop.gateway.http;

import org.jspecify.annotations.NullMarked;
