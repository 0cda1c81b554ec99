/**
 * The tunnel's wire format (docs/protocol.md): the fixed 12-byte big-endian frame header, frame
 * types with their payload bounds, the codec between WebSocket binary messages and
 * {@link io.iploop.tunnel.frame.TunnelFrame}s, and the typed payloads (HELLO, WELCOME, OPEN, …).
 * Every decoder treats its input as hostile: lengths are checked before anything is allocated,
 * unknown types and flags are rejected.
 */
@NullMarked
package io.iploop.tunnel.frame;

import org.jspecify.annotations.NullMarked;
