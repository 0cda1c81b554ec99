package io.iploop.node;

import io.iploop.tunnel.ByteStream;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Test helper: collects a stream's bytes and returns credit for them (or holds it back, see {@link #hold()}).
 * Callbacks on the stream's executor; {@link #size()} and {@link #bytes()} from any thread.
 */
public final class StreamCollector implements ByteStream.Handler {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private volatile boolean holding;
    private volatile boolean closed;
    private long unacked;

    /** True once the stream closed. */
    public boolean closed() {
        return closed;
    }

    /** From now on keep the credit: the sender stalls once its window is used up. */
    public void hold() {
        holding = true;
    }

    /** Returns the credit held back and acknowledges everything from now on. */
    public void release(ByteStream stream) {
        stream.executor().execute(() -> {
            holding = false;
            if (unacked > 0) {
                stream.ack((int) unacked);
                unacked = 0;
            }
        });
    }

    @Override
    public void onData(ByteStream stream, ByteBuf data) {
        int n = data.readableBytes();
        byte[] copy = new byte[n];
        data.readBytes(copy);
        data.release();
        synchronized (bytes) {
            bytes.write(copy, 0, n);
        }
        if (holding) {
            unacked += n;
        } else {
            stream.ack(n);
        }
    }

    @Override
    public void onWritabilityChanged(ByteStream stream) {}

    @Override
    public void onClosed(ByteStream stream, @Nullable String error) {
        closed = true;
    }

    public int size() {
        synchronized (bytes) {
            return bytes.size();
        }
    }

    public byte[] bytes() {
        synchronized (bytes) {
            return bytes.toByteArray();
        }
    }
}
