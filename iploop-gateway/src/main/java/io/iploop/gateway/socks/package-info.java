/**
 * The SOCKS5 listener (RFC 1928) with username/password authentication (RFC 1929): CONNECT to
 * IPv4, IPv6 and domain destinations (domains are resolved at the exit, never here), relayed as
 * raw bytes. The pipeline is assembled by {@link io.iploop.gateway.socks.Socks5ProxyServerInitializer}.
 */
@NullMarked
package io.iploop.gateway.socks;

import org.jspecify.annotations.NullMarked;
