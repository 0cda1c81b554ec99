package io.iploop.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import org.jspecify.annotations.Nullable;

/**
 * A flow-controlled, bidirectional byte stream: one customer connection's bytes through the
 * tunnel (or through any other exit). Credit based (docs/protocol.md §5): the sender may have at
 * most the peer's window of unacknowledged bytes in flight; the receiver returns credit with
 * {@link #ack(int)} once it has really delivered bytes, so a slow consumer slows its producer and
 * never the other streams.
 *
 * <p>Thread-safe: methods may be called from any thread. {@link Handler} callbacks run on
 * {@link #executor()}, one at a time, in order.
 */
public interface ByteStream {

    /** The executor that runs this stream's handler callbacks. */
    EventExecutor executor();

    /**
     * True while the peer has credit for more data, nothing is queued locally and the transport
     * underneath takes more writes (a tunnel's connection below its high-water mark). A relay stops
     * reading its source when this turns false and resumes on
     * {@link Handler#onWritabilityChanged}.
     */
    boolean isWritable();

    /**
     * Sends {@code data} (ownership is transferred; it is released after sending). Data beyond
     * the available credit is queued until credit arrives. Writing to a closed stream releases
     * the buffer and does nothing.
     */
    void write(ByteBuf data);

    /** Reports {@code bytes} of received data as delivered, returning credit to the peer. */
    void ack(int bytes);

    /**
     * Sets the handler. Data that arrived before is delivered to it right away (at most one
     * window). May be called once.
     */
    void setHandler(Handler handler);

    /** Closes gracefully: data already written is sent first, then the peer sees end of stream. */
    void close();

    /**
     * Ends this side's direction only (TCP half-close, docs/protocol.md §4.6): data already
     * written is sent first, then the peer sees end of input; data keeps flowing the other way
     * until the peer ends its direction too, which closes the stream with
     * {@link Handler#onClosed}{@code (null)}. Later writes are released and ignored. A stream
     * (or a peer) that cannot carry a half-close closes gracefully instead, as {@link #close()}.
     * Idempotent.
     */
    default void shutdownOutput() {
        close();
    }

    /** Closes at once, discarding queued data; the peer sees an error with {@code reason}. */
    void abort(String reason);

    /** False once closed by either side. */
    boolean isOpen();

    /**
     * Whether this stream calls {@link Handler#onDataBurstEnd} after every run of
     * {@link Handler#onData} calls, on the stream's executor. Only then may a handler hold back the
     * flush of what it wrote in {@code onData} until that call (one flush per burst instead of one
     * per chunk). Default false: every chunk must be flushed as it comes.
     */
    default boolean signalsDataBurstEnd() {
        return false;
    }

    /** Receives a stream's events. Callbacks run on {@link #executor()}. */
    interface Handler {

        /** Data arrived; the handler owns {@code data} and must {@link #ack} it once delivered. */
        void onData(ByteStream stream, ByteBuf data);

        /** {@link #isWritable()} changed. */
        void onWritabilityChanged(ByteStream stream);

        /**
         * The peer ended its direction (TCP half-close) after all its data was delivered to
         * {@link #onData}; this side may keep writing. At most once. The default closes the
         * stream gracefully, the behaviour of a handler that knows nothing of half-close.
         */
        default void onInputShutdown(ByteStream stream) {
            stream.close();
        }

        /**
         * The stream closed: after all data was delivered when the peer closed gracefully
         * ({@code error == null}), or at once on an error or abort.
         */
        void onClosed(ByteStream stream, @Nullable String error);

        /**
         * A run of {@link #onData} calls ended (one read of the carrying connection), on the
         * stream's executor; only called by a stream whose {@link ByteStream#signalsDataBurstEnd()}
         * is true. A handler that wrote chunks without flushing them flushes now.
         */
        default void onDataBurstEnd(ByteStream stream) {}
    }
}
