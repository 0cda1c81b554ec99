package io.iploop.tunnel;

/** Node side: decides what to do with an OPEN from the gateway. Called on the session's event loop. */
@FunctionalInterface
public interface StreamAcceptor {

    /**
     * The gateway asks to connect {@code stream} to {@code host:port}. The acceptor must answer
     * exactly once, possibly later from another thread, with {@link OpenReply#accept()} (after it
     * connected) or {@link OpenReply#reject}. Data written to {@code stream} before accepting is
     * not allowed.
     *
     * @param host a validated host name or IP literal (at most 255 bytes, no control characters)
     * @param port 1-65535
     */
    void onOpen(ByteStream stream, String host, int port, OpenReply reply);

    /** The answer to one OPEN. Thread-safe; only the first call counts. */
    interface OpenReply {
        void accept();

        void reject(OpenFailure reason, String message);
    }
}
