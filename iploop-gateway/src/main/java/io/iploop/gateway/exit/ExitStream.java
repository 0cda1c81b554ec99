package io.iploop.gateway.exit;

import io.iploop.tunnel.ByteStream;

/** An open stream through an exit, with the facts about that exit (for debug headers and metering). */
public interface ExitStream extends ByteStream {

    /** The exit carrying this stream. */
    ExitInfo exit();
}
