/**
 * Node exits: the node hub (WebSocket {@code /ws}) where agents connect, the live directory of
 * connected nodes, node selection by geo targeting, sticky sessions, and the
 * {@link io.iploop.gateway.exit.ExitConnector} that opens customer streams through nodes.
 */
@NullMarked
package io.iploop.gateway.node;

import org.jspecify.annotations.NullMarked;
