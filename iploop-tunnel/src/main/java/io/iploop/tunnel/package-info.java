/**
 * The node tunnel ({@code docs/protocol.md}): binary frames over one WebSocket per
 * node agent, multiplexing customer streams with per-stream credit flow control and heartbeats.
 * Used by both the gateway (which opens streams) and the node agent (which accepts them).
 * No Spring.
 */
@NullMarked
package io.iploop.tunnel;

import org.jspecify.annotations.NullMarked;
