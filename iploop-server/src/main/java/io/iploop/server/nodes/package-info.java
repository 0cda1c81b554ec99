/**
 * Exit nodes (seed 001 §6.5, §7.4; seed 000 §7.2): the node registry merged with the live gateway view (filtered, paged), node statistics, proxy locations, ISPs and live inventory, and operator node keys. The public API is {@link io.iploop.server.nodes.NodesService}.
 */
@NullMarked
package io.iploop.server.nodes;

import org.jspecify.annotations.NullMarked;
