package io.iploop.gateway.exit;

import io.iploop.tunnel.ByteStream;

/** An open stream through an exit, with the facts about that exit (for debug headers and metering). */
public interface ExitStream extends ByteStream {

    /** The exit carrying this stream. */
    ExitInfo exit();

    /**
     * Offers this stream, whose last HTTP exchange is complete in both directions (request sent,
     * response read to its end, the origin keeping the connection), for a later request of the same
     * customer, targeting and destination (docs/exit-reuse.md). On {@code true} the stream belongs
     * to the idle set: the caller must neither close nor use it again, and its handler is replaced.
     * On {@code false} the caller still owns it (and closes it). Call at most once per use, from
     * any thread.
     *
     * @return whether the stream was kept for reuse; exits that cannot be reused answer false
     */
    default boolean parkForReuse() {
        return false;
    }

    /**
     * Whether this stream came from the idle set (an earlier request's connection at the exit)
     * rather than being opened for this request: the origin may have closed it meanwhile, so a
     * request that gets no answer on it is sent again on a new stream (docs/exit-reuse.md#stale).
     */
    default boolean reused() {
        return false;
    }
}
