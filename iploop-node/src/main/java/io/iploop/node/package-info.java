/**
 * The node agent ("ProxyClaw" SDK): keeps one outbound tunnel to a gateway, accepts the streams
 * the gateway opens, checks each destination against the egress policy and relays bytes.
 * Never depends on server code.
 */
@NullMarked
package io.iploop.node;

import org.jspecify.annotations.NullMarked;
