/**
 * The tunnel's wire format (docs/protocol.md): the fixed 12-byte big-endian frame header, frame
 * types with their payload bounds, the codec between WebSocket binary messages and
 * {@link io.iploop.tunnel.frame.TunnelFrame}s. The typed payloads (HELLO, WELCOME, OPEN, …) are
 * {@code io.iploop.tunnel.Payloads}, next to the messages they carry, so this package depends on
 * nothing else of the tunnel.
 * Every decoder treats its input as hostile: lengths are checked before anything is allocated,
 * unknown types and flags are rejected.
 */
@NullMarked
package io.iploop.tunnel.frame;

import org.jspecify.annotations.NullMarked;
