/**
 * Nodes implementation: REST controllers, the node and node-key repositories, and the gateway's {@code NodeAuthenticator} and {@code NodeStore}.
 */
@NullMarked
package io.iploop.server.nodes.internal;

import org.jspecify.annotations.NullMarked;
