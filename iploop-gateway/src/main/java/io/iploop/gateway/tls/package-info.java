/**
 * TLS in front of the gateway's listeners (docs/tls.md): the server certificate from PEM files,
 * reloaded when they change, or a self-signed one generated once; the handler that turns TLS
 * handshake failures into a counted, debug-logged close and a customer's {@code close_notify}
 * into the end of its input.
 */
@NullMarked
package io.iploop.gateway.tls;

import org.jspecify.annotations.NullMarked;
