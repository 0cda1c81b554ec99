/**
 * The one place where every reason a proxy request fails is mapped to what the customer sees:
 * HTTP status, {@code X-IPLoop-Error} code, RFC 9209 {@code Proxy-Status} error type and the
 * RFC 1928 SOCKS5 reply code (docs/product/proxy.md#error-responses).
 */
@NullMarked
package io.iploop.gateway.error;

import org.jspecify.annotations.NullMarked;
