/**
 * Exit nodes (docs/product/nodes.md#node-record, #node-api, #locations-and-inventory): the node registry merged with the live gateway view (filtered, paged), node statistics, proxy locations, ISPs and live inventory, and operator node keys. The public API is {@link io.iploop.server.nodes.NodesService}.
 */
@NullMarked
package io.iploop.server.nodes;

import org.jspecify.annotations.NullMarked;
