/**
 * Connection-level concerns shared by every listener of the gateway: the PROXY protocol header of
 * a trusted load balancer ({@link io.iploop.gateway.net.ProxyProtocol}). Depends on no other
 * gateway package.
 */
@NullMarked
package io.iploop.gateway.net;

import org.jspecify.annotations.NullMarked;
