package io.iploop.gateway.node;

import io.iploop.gateway.exit.ExitInfo;
import io.iploop.gateway.exit.ExitStream;
import io.iploop.tunnel.ByteStream;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import org.jspecify.annotations.Nullable;

/**
 * A tunnel stream through one node, counting the bytes it carries into the node's counters
 * (docs/product/nodes.md#node-record) and timing it for the node's {@link NodeQuality}
 * (docs/exit-quality.md#measurements): time to first byte from the customer's first byte into the
 * stream to the exit's first byte back, and throughput of the bytes received over the transfer
 * time (pauses over {@link NodeQuality#IDLE_GAP_NANOS} left out). Customer billing is metered
 * separately at the customer socket. Thread-safe as its delegate.
 */
final class NodeExitStream implements ExitStream {

    private final ByteStream delegate;
    private final NodeEntry node;
    private final ExitInfo exit;
    /** System.nanoTime() of the first write, 0 before it; written once, from the customer's loop. */
    private volatile long firstWriteNanos;
    /** Set when this side closes or aborts: such an end says nothing about the node. */
    private volatile boolean endedHere;
    // Read side, touched only on the delegate's executor:
    private long bytesReceived;
    private long timedBytes;
    private long activeNanos;
    private long lastDataNanos;
    /** Whether the stream's success sample was counted (at its first byte back). */
    private boolean successCounted;

    NodeExitStream(ByteStream delegate, NodeEntry node, ExitInfo exit) {
        this.delegate = delegate;
        this.node = node;
        this.exit = exit;
    }

    @Override
    public ExitInfo exit() {
        return exit;
    }

    @Override
    public EventExecutor executor() {
        return delegate.executor();
    }

    @Override
    public boolean isWritable() {
        return delegate.isWritable();
    }

    @Override
    public void write(ByteBuf data) {
        if (firstWriteNanos == 0) {
            firstWriteNanos = System.nanoTime();
        }
        node.bytesTotal.addAndGet(data.readableBytes());
        delegate.write(data);
    }

    @Override
    public void ack(int bytes) {
        delegate.ack(bytes);
    }

    @Override
    public void setHandler(Handler handler) {
        delegate.setHandler(new Handler() {
            @Override
            public void onData(ByteStream stream, ByteBuf data) {
                int n = data.readableBytes();
                node.bytesTotal.addAndGet(n);
                received(n, System.nanoTime());
                handler.onData(NodeExitStream.this, data);
            }

            @Override
            public void onWritabilityChanged(ByteStream stream) {
                handler.onWritabilityChanged(NodeExitStream.this);
            }

            @Override
            public void onInputShutdown(ByteStream stream) {
                handler.onInputShutdown(NodeExitStream.this);
            }

            @Override
            public void onClosed(ByteStream stream, @Nullable String error) {
                closed(error != null);
                handler.onClosed(NodeExitStream.this, error);
            }

            @Override
            public void onDataBurstEnd(ByteStream stream) {
                handler.onDataBurstEnd(NodeExitStream.this);
            }
        });
    }

    private void received(int n, long now) {
        if (!successCounted) {
            // The stream's one success sample: the exit served it (docs/exit-quality.md#measurements).
            successCounted = true;
            node.quality.openSucceeded();
        }
        if (bytesReceived == 0) {
            long written = firstWriteNanos;
            if (written != 0) {
                node.quality.firstByte(now - written);
            }
        } else {
            long gap = now - lastDataNanos;
            if (gap <= NodeQuality.IDLE_GAP_NANOS) {
                activeNanos += gap;
                timedBytes += n;
            }
        }
        bytesReceived += n;
        lastDataNanos = now;
    }

    private void closed(boolean withError) {
        if (withError && bytesReceived == 0 && !endedHere) {
            node.quality.failed(NodeQuality.Cause.DROPPED, System.nanoTime());
        } else {
            if (!successCounted) {
                // Ended well without a byte back (the exit had nothing to say, or the gateway closed it).
                successCounted = true;
                node.quality.openSucceeded();
            }
            node.quality.transferred(timedBytes, activeNanos);
        }
    }

    @Override
    public void close() {
        endedHere = true;
        delegate.close();
    }

    @Override
    public void shutdownOutput() {
        delegate.shutdownOutput();
    }

    @Override
    public void abort(String reason) {
        endedHere = true;
        delegate.abort(reason);
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public boolean signalsDataBurstEnd() {
        return delegate.signalsDataBurstEnd();
    }

    @Override
    public String toString() {
        return "NodeExitStream(" + exit.nodeId() + ", " + delegate + ")";
    }
}
