package io.iploop.tunnel;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Joins two {@link ByteStream}s end to end: what arrives on one is written to the other, both ways,
 * with the streams' own credit flow control carried across (docs/protocol.md §5). Bytes received
 * on one stream are acknowledged to its peer only while the other stream takes writes
 * ({@link ByteStream#isWritable()}); otherwise the credit is held until that stream turns writable
 * again. So a splice buffers at most one receive window per direction and a slow far end slows the
 * sender, exactly as {@link ByteStreamRelay} does between a socket and a stream. A half-close
 * ({@link ByteStream.Handler#onInputShutdown}) is passed on as {@link ByteStream#shutdownOutput()};
 * a graceful close as {@link ByteStream#close()}, an error as {@link ByteStream#abort}. The
 * gateways' cluster relay uses it to join a relay-link stream to a node's stream
 * (docs/deploy.md#cross-gateway-relay).
 *
 * <p>Thread-safe: the two streams may live on different event loops; each side's callbacks run
 * on its own executor and share only atomics.
 */
public final class ByteStreamSplice {

    private ByteStreamSplice() {}

    /**
     * Starts splicing; takes ownership of both streams (closing one closes the other). Neither
     * stream may have a handler yet.
     *
     * @param listener told once when the splice ended ({@code null} error for a clean close); may be null
     */
    public static void splice(ByteStream a, ByteStream b, ByteStreamRelay.@Nullable Listener listener) {
        AtomicBoolean ended = new AtomicBoolean();
        End ea = new End(a, ended, listener);
        End eb = new End(b, ended, listener);
        ea.other = eb;
        eb.other = ea;
        a.setHandler(ea);
        b.setHandler(eb);
    }

    /** One stream of the splice and what it owes its peer. */
    private static final class End implements ByteStream.Handler {
        private final ByteStream stream;
        private final AtomicBoolean ended;
        private final ByteStreamRelay.@Nullable Listener listener;
        /** Bytes received on {@link #stream} and handed to the other stream, not yet acknowledged. */
        private final AtomicInteger owed = new AtomicInteger();
        private End other;

        End(ByteStream stream, AtomicBoolean ended, ByteStreamRelay.@Nullable Listener listener) {
            this.stream = stream;
            this.ended = ended;
            this.listener = listener;
        }

        @Override
        public void onData(ByteStream s, ByteBuf data) {
            int n = data.readableBytes();
            other.stream.write(data);
            owed.addAndGet(n);
            // Credit goes back only while the other side takes more: otherwise its writability
            // event releases it (the order add-then-check leaves no lost wake-up).
            if (other.stream.isWritable()) {
                release();
            }
        }

        /** Acknowledges what this stream delivered to the other one. Any thread. */
        void release() {
            int n = owed.getAndSet(0);
            if (n > 0) {
                stream.ack(n);
            }
        }

        @Override
        public void onWritabilityChanged(ByteStream s) {
            if (stream.isWritable()) {
                other.release();
            }
        }

        @Override
        public void onInputShutdown(ByteStream s) {
            other.stream.shutdownOutput();
        }

        @Override
        public void onClosed(ByteStream s, @Nullable String error) {
            if (error == null) {
                other.stream.close();
            } else {
                other.stream.abort(error);
            }
            if (ended.compareAndSet(false, true) && listener != null) {
                listener.onRelayClosed(error);
            }
        }
    }
}
